"""The pack screen's dialogs: a blocking scan error (the walkthrough's, with the pack's words)
and the reason for printing the label of a package that is not fully packed.

Neither takes a scan as its answer: the error closes only with Esc (a scan typed while it is
open rings and is reported as not counted); a reason is chosen with a digit or the arrows,
then Enter (:class:`~pickterm.widgets.scan_input.BurstGuard`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pickterm.i18n import N_, _
from pickterm.screens.walkthrough_dialogs import ReasonDialog, ScanErrorDialog, _not_counted_line, _rows
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.keys import bind

# Why a label is printed before its package is fully packed (kept in the local history, in
# English: the msgid is the record).
FORCED_REASONS = (
    N_("Customer asked for a partial shipment"),
    N_("Item missing: the rest ships later"),
    N_("Label needed to weigh the box"),
    N_("Supervisor approved"),
)


@dataclass(frozen=True)
class PackError:
    """What a blocking pack error says: its title, what was scanned, what was expected, why."""

    title: str
    scanned: str = ""
    expected: str = ""
    detail: str = ""


class PackErrorDialog(ScanErrorDialog):
    """A blocking pack error: nothing counts until the packer acknowledges it with Esc."""

    CSS_PATH = css("walkthrough")

    def __init__(self, error: PackError) -> None:
        super().__init__(error)  # type: ignore[arg-type]  # the fields the dialog shows
        self.error = error

    def compose(self) -> ComposeResult:
        e = self.error
        with Vertical(id="scan-error", classes="-flash"):
            yield Static(styled_literal(f"✘ {e.title.upper()}", "bold"), id="scan-error-title")
            yield from _rows(_("Scanned"), e.scanned)
            yield from _rows(_("Expected"), e.expected)
            yield Static(literal(e.detail), id="scan-error-text")
            yield Static("", id="scan-error-ignored")
            yield Static(Content.styled(_("Esc: OK, continue"), "bold"), id="scan-error-keys")


class ForcedReasonDialog(ReasonDialog):
    """Why this package's label prints before every unit is in the box: one of
    :data:`FORCED_REASONS`, chosen with a digit or the arrows and then Enter; a bare Enter or a
    scan chooses nothing."""

    CSS_PATH = [css("walkthrough"), css("pack")]
    BINDINGS = [
        bind("pack.reason_cancel", "cancel", priority=True),
        *[
            bind("pack.reason_choose", f"highlight({n - 1})", keys=str(n), described=False, show=False)
            for n in range(1, len(FORCED_REASONS) + 1)
        ],
    ]
    NOT_COUNTED_HINT = N_("choose a reason with 1-4, then Enter")
    LIST_ID = "forced-reasons"
    CHOOSE_FIRST = N_("Choose a reason first: 1-4 or the arrows, then Enter.")

    def __init__(self, package_words: str) -> None:
        super().__init__()
        self.package_words = package_words

    def compose(self) -> ComposeResult:
        with Vertical(id="short-dialog", classes="walk-dialog") as box:
            box.border_title = _("Print unpacked: why?")
            box.border_subtitle = _("1-4, Enter · Esc: cancel")
            yield Static(literal(self.package_words), classes="dialog-title")
            yield OptionList(
                *[Option(f"{n}  {_(reason)}", id=reason) for n, reason in enumerate(FORCED_REASONS, 1)],
                id="forced-reasons",
            )
            yield _not_counted_line()

"""An order's packing history on this terminal, read-only: items confirmed by key, labels
printed, reprinted (counted), forced (with their reason), that may have printed, confirmed.

Times are local; reasons, printers and item names are shown literally. A scan typed into it
counts nowhere: it rings and is reported as not counted (:class:`BurstGuard`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from pickterm.commands.label import history_time, history_words
from pickterm.i18n import N_, _
from pickterm.screens.walkthrough_dialogs import _not_counted_line
from pickterm.stylesheets import css
from pickterm.widgets.common import literal
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import BurstGuard

if TYPE_CHECKING:
    from pickterm.packing import HistoryEntry


def history_content(entries: Sequence[HistoryEntry], total: int) -> Content:
    """Each step: its local time and package, then what was done (literally)."""
    if not entries:
        return Content(_("Nothing recorded yet: prints, reprints, forced prints and items confirmed by key show here."))
    lines = []
    for entry in entries:
        package = (
            _("package {n}/{total}").format(n=entry.package, total=total)
            if entry.package is not None
            else entry.package_id
        )
        lines.append(
            Content.assemble(
                Content.styled(history_time(entry.at), "dim"),
                " ",
                literal(package, multiline=False),
                "\n  ",
                literal(history_words(entry), multiline=False),
            )
        )
    return Content("\n").join(lines)


class PackHistoryDialog(BurstGuard, ModalScreen[None]):
    """What was done while packing the order on this terminal, oldest first."""

    CSS_PATH = [css("walkthrough"), css("pack")]
    BINDINGS = [
        bind("pack.history_close", "close", priority=True),
        bind("pack.history", "close", described=False, show=False, priority=True),  # the key that opened it
    ]
    NOT_COUNTED_HINT = N_("close the history (Esc) to scan")

    def __init__(self, order_id: str, entries: Sequence[HistoryEntry], total: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.entries = list(entries)
        self.total = total

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pack-history", classes="walk-dialog") as box:
            box.border_title = _("Packing history")
            box.border_subtitle = _("Esc: back")
            yield _not_counted_line()
            yield Static(history_content(self.entries, self.total), id="pack-history-text")

    def action_close(self) -> None:
        self.dismiss(None)

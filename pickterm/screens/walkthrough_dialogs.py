"""The walkthrough's modal dialogs: a blocking scan error, the short-pick reason,
the list of every item, and the summary.

A blocking error rings the bell, flashes, says what was scanned and what was
expected, and only Esc (or F3) closes it: a scan (characters and Enter) typed
while it is open rings again and is not counted.

No dialog takes a scan as its answer (:class:`~pickterm.widgets.scan_input.BurstGuard`):
a scanner's burst and the Enter that ends it are reported as "not counted", and
choices take deliberate keys (a digit or an arrow to choose, then Enter).
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pickterm.i18n import N_, _, ngettext
from pickterm.picking import SHORT_REASONS, STATE_SYMBOLS, PickProgress, Summary, WalkItem
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import BurstGuard
from pickterm.widgets.walk import walk_line
from pickterm.widgets.walk_words import Said, counts_text, reason_text

FLASH_SECONDS = 0.4

SAVED_NOTE = N_("Progress is saved on this terminal (the API has no endpoint to record picks).")


def _rows(label: str, *values: str) -> ComposeResult:
    """``Scanned  4006381333931``: a label column, the values wrapped beside it."""
    lines = [v for v in values if v]
    if lines:
        with Horizontal(classes="error-row"):
            yield Static(Content.styled(label, "bold"), classes="error-label")
            yield Static(Content("\n").join(literal(line) for line in lines), classes="error-value")


class ScanErrorDialog(ModalScreen[None]):
    """A blocking error: nothing counts until the picker acknowledges it with Esc."""

    CSS_PATH = css("walkthrough")
    BINDINGS = [
        bind("walk.error_ok", "acknowledge", priority=True),
        # Not priority: Enter must come after the characters typed before it.
        bind("walk.error_scan", "blocked_scan", described=False, show=False),
    ]

    def __init__(self, said: Said) -> None:
        super().__init__()
        self.said = said
        self.typed = ""
        self.ignored: list[str] = []

    def compose(self) -> ComposeResult:
        o = self.said
        with Vertical(id="scan-error", classes="-flash"):
            yield Static(styled_literal(f"✘ {o.title.upper()}", "bold"), id="scan-error-title")
            yield from _rows(_("Scanned"), o.scanned, o.scanned_item)
            yield from _rows(_("Expected"), o.expected, o.expected_code)
            yield Static(literal(o.detail), id="scan-error-text")
            yield Static("", id="scan-error-ignored")
            yield Static(Content.styled(_("Esc: OK, continue"), "bold"), id="scan-error-keys")

    def on_mount(self) -> None:
        self.app.bell()
        self.set_timer(FLASH_SECONDS, self._end_flash)
        if self.ignored:
            self._show_ignored()

    def _end_flash(self) -> None:
        self.query_one("#scan-error").remove_class("-flash")

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character:
            self.typed += event.character
            event.stop()
            event.prevent_default()

    def action_blocked_scan(self) -> None:
        """A scan typed while blocked: ring again, say it was not counted, stay open."""
        typed, self.typed = self.typed, ""
        self.not_counted(typed)

    def not_counted(self, raw: str) -> None:
        """Say that ``raw`` (a scan that arrived while this error is open) was not counted."""
        self.ignored.append(raw.strip() or _("(empty)"))
        if self.is_mounted:
            self.app.bell()
            self.query_one("#scan-error").add_class("-flash")
            self.set_timer(FLASH_SECONDS, self._end_flash)
            self._show_ignored()

    def _show_ignored(self) -> None:
        ignored = self.query_one("#scan-error-ignored", Static)
        ignored.display = True
        more = _(" (and {n} before it)").format(n=len(self.ignored) - 1) if len(self.ignored) > 1 else ""
        ignored.update(
            Content.assemble(
                Content.styled(_("Not counted: "), "bold"),
                literal(self.ignored[-1]),
                Content(more + _(" — press Esc first")),
            )
        )

    def action_acknowledge(self) -> None:
        self.dismiss(None)


def _not_counted_line() -> Static:
    line = Static("", id="not-counted", classes="not-counted")
    line.display = False
    return line


class ReasonDialog(BurstGuard, ModalScreen[str | None]):
    """A choice of reasons (an OptionList of id ``LIST_ID``): a digit or the arrows choose one,
    Enter confirms it. No reason is chosen before a key says which, so a bare Enter (or a scan)
    chooses nothing, and a scan that starts with a digit leaves no choice behind."""

    LIST_ID = ""
    CHOOSE_FIRST = ""  # what a bare Enter is told (marked with N_)

    def __init__(self) -> None:
        super().__init__()
        self._before: int | None = None

    @property
    def reasons(self) -> OptionList:
        return self.query_one(f"#{self.LIST_ID}", OptionList)

    def on_mount(self) -> None:
        self.reasons.highlighted = None  # nothing is chosen until a key says so

    def guard_key(self, event: events.Key) -> bool:
        if event.is_printable and not self.burst.quick():
            self._before = self.reasons.highlighted  # what a burst starting here takes back
        if super().guard_key(event):
            return True
        if event.key == "enter" and self.reasons.highlighted is None:
            event.stop()
            event.prevent_default()
            self.app.bell()
            self.notify(_(self.CHOOSE_FIRST), severity="warning", markup=False)
            return True
        return False

    def burst_started(self) -> None:
        self.reasons.highlighted = self._before

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_highlight(self, index: int) -> None:
        """A digit chooses its reason, unless a key came after it: then the digit was the first key
        of a scan (its binding runs after the screen has seen the keys behind it), and
        :meth:`burst_started` has put the highlight back."""
        if self.overtaken():
            return
        self.reasons.highlighted = index

    def action_cancel(self) -> None:
        self.dismiss(None)


class ShortReasonDialog(ReasonDialog):
    """Why the current item is short: one of :data:`SHORT_REASONS`. A digit or the arrows
    choose a reason, Enter confirms it: no reason is chosen before a key says which, so a
    bare Enter (or a scan) never shorts an item."""

    CSS_PATH = css("walkthrough")
    BINDINGS = [
        bind("walk.short_cancel", "cancel", priority=True),
        *[
            bind("walk.short_reason", f"highlight({n - 1})", keys=str(n), described=False, show=False)
            for n in range(1, len(SHORT_REASONS) + 1)
        ],
    ]
    NOT_COUNTED_HINT = N_("choose a reason with 1-5, then Enter")
    LIST_ID = "short-reasons"
    CHOOSE_FIRST = N_("Choose a reason first: 1-5 or the arrows, then Enter.")

    def __init__(self, item_name: str, picked: int, need: int) -> None:
        super().__init__()
        self.item_name = item_name
        self.picked = picked
        self.need = need

    def compose(self) -> ComposeResult:
        with Vertical(id="short-dialog", classes="walk-dialog") as box:
            box.border_title = _("Short pick: why?")
            box.border_subtitle = _("1-5, Enter · Esc: cancel")
            yield Static(
                Content.assemble(literal(self.item_name), Content(" " + of_need(self.picked, self.need))),
                classes="dialog-title",
            )
            yield OptionList(
                *[Option(f"{n}  {reason_text(reason)}", id=reason) for n, reason in enumerate(SHORT_REASONS, 1)],
                id="short-reasons",
            )
            yield _not_counted_line()


class ItemListDialog(BurstGuard, ModalScreen[str | None]):
    """Every item with its state as a symbol and a word; Enter opens one (a scan does not)."""

    NOT_COUNTED_HINT = N_("close the list (Esc) to scan")

    CSS_PATH = css("walkthrough")
    BINDINGS = [
        bind("walk.list_close", "cancel", priority=True),
        bind("walk.list", "cancel", described=False, show=False, priority=True),  # the key that opened it
    ]

    def __init__(self, model: PickProgress) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        model = self.model
        items = OptionList(
            *[Option(walk_line(model.items[i], i == model.current_id), id=i) for i in model.walk],
            id="item-list",
            classes="walk-dialog",
        )
        items.border_title = _("Items · {progress}").format(progress=counts_text(model.counts()))
        items.border_subtitle = _("Enter: open · Esc: close")
        yield items

    def on_mount(self) -> None:
        items = self.query_one("#item-list", OptionList)
        position = self.model.position()
        if position >= 0:
            items.highlighted = position

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def of_need(picked: int, need: int) -> str:
    """``(2 of 3)``: units picked of the units needed."""
    return _("({picked} of {need})").format(picked=picked, need=need)


def summary_content(summary: Summary, worksheet_id: str) -> Content:
    """Done, short with reasons, skipped, and what is still open."""
    heading = _("Worksheet {id} · {counts}").format(id=worksheet_id, counts=counts_text(summary.counts))
    lines: list[Content] = [styled_literal(heading, "bold")]

    def group(state: str, items: list[WalkItem], describe: Callable[[WalkItem], str]) -> None:
        if not items:
            return
        n = len(items)
        counted = (
            ngettext("{n} short", "{n} short", n) if state == "short" else ngettext("{n} skipped", "{n} skipped", n)
        )
        lines.append(Content.styled(f"{STATE_SYMBOLS[state]} {counted.format(n=n)}", "bold"))
        for item in items:
            lines.append(Content.assemble("  ", literal(item.name), literal(describe(item))))

    done_units = sum(i.picked for i in summary.done)
    if summary.done:
        units = ngettext("{n} unit", "{n} units", done_units).format(n=done_units)
        done = ngettext(
            "{symbol} {n} done ({units} picked here)", "{symbol} {n} done ({units} picked here)", len(summary.done)
        ).format(symbol=STATE_SYMBOLS["done"], n=len(summary.done), units=units)
        lines.append(Content.styled(done, "bold"))
    group(
        "short",
        summary.short,
        lambda i: f": {reason_text(i.reason) if i.reason else _('no reason')} " + of_need(i.picked, i.need),
    )
    group("skipped", summary.skipped, lambda i: " " + of_need(i.picked, i.need))
    if summary.open:
        still = ngettext("{symbol} {n} still to pick", "{symbol} {n} still to pick", len(summary.open)).format(
            symbol=STATE_SYMBOLS["todo"], n=len(summary.open)
        )
        lines.append(Content.styled(still, "bold"))
        for item in summary.open:
            lines.append(Content.assemble("  ", literal(item.name), Content(" " + of_need(item.picked, item.need))))
    if summary.settled:
        lines.append(Content.styled(_("Worksheet complete: every item is done or short."), "bold $success"))
    else:
        waiting = len(summary.open) + len(summary.skipped)
        if summary.skipped:
            text = ngettext(
                "Not settled: {n} item still to pick (skipped included).",
                "Not settled: {n} items still to pick (skipped included).",
                waiting,
            )
        else:
            text = ngettext("Not settled: {n} item still to pick.", "Not settled: {n} items still to pick.", waiting)
        lines.append(Content.styled(text.format(n=waiting), "bold $warning"))
    if summary.notes:
        lines.append(Content.styled(_("Worksheet notes"), "bold"))
        lines += [Content.assemble("  ✎ ", literal(note)) for note in summary.notes]
    lines.append(Content(_(SAVED_NOTE)))
    return Content("\n").join(lines)


class SummaryDialog(BurstGuard, ModalScreen[None]):
    """What became of every item: done, short with reasons, skipped."""

    CSS_PATH = css("walkthrough")
    BINDINGS = [
        bind("walk.summary_close", "close", priority=True),
        bind("walk.summary", "close", described=False, show=False, priority=True),  # the key that opened it
        # Not priority: a scan's Enter is not counted first.
        bind("walk.summary_enter", "close", show=False),
    ]
    NOT_COUNTED_HINT = N_("close the summary (Esc) to scan")

    def __init__(self, model: PickProgress) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary-dialog", classes="walk-dialog") as box:
            box.border_title = _("Worksheet complete") if self.model.all_settled else _("Summary")
            box.border_subtitle = _("Esc: back")
            yield _not_counted_line()
            yield Static(summary_content(self.model.summary(), self.model.worksheet_id), id="summary-text")

    def action_close(self) -> None:
        self.dismiss(None)

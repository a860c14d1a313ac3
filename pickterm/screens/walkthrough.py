"""The picker's walkthrough of a worksheet: scan item after item, in pick-path order.

The screen is thin: :class:`pickterm.picking.PickProgress` holds the walk and does
every action (saving it first); this screen shows it, keeps the scan field focused,
and turns blocking outcomes into a modal error the picker acknowledges with Esc.

The worksheet shows at once; the orders' items (for EANs) load concurrently after
it. Scans typed before the barcodes are ready wait and are applied, in order, as
soon as they are: none is dropped.

Every action on the walk (a scan, a unit by key, undo, skip, short, a move) is
saved to the store before it shows, and the store may be slow or held by another
pickterm: actions go through one queue and each runs on a worker thread
(:func:`~pickterm.offloop.in_thread`), one at a time, in the order they came. The
screen keeps drawing and the scan field keeps echoing meanwhile; a scan is shown
as counted only once it is committed. After a blocking error, what waited behind
it is not done: scans are shown on the error as not counted, keys ring.

Scanner rules kept here (docs/ARCHITECTURE.md, "The scanner's rules"): the scan field
(:class:`~pickterm.widgets.scan_input.ScanField`) ends a scan at each terminator, so
scans that arrive together are each counted, in order, with the value they were
typed with. Esc that comes within ``ESC_GUARD_SECONDS`` of acknowledging an error
does nothing (a double Esc must not also leave the walk): F3 leaves at any time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static

from pickterm.i18n import N_, _, ngettext
from pickterm.offloop import in_thread
from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal, status_content
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import ScanField
from pickterm.widgets.walk import ItemPanel, walk_line
from pickterm.widgets.walk_words import counts_text, said

SAVED_HINT = N_("Progress is saved on this terminal.")
IDLE_SUBMIT_SECONDS = 0.2  # scanners set to send no terminator: a pause ends the code
ESC_GUARD_SECONDS = 1.0  # Esc this soon after acknowledging an error does not leave
SAVING_HINT_SECONDS = 0.3  # an action not saved by then (a busy store) says it is being saved


class WalkthroughScreen(DataScreen):
    """Guided picking of one worksheet with a barcode scanner."""

    RECENT = "worksheet"

    TITLE = N_("Walkthrough")
    HELP = N_(
        "Scan the current item: each scan confirms one unit, 3* before the code confirms 3, a scale "
        "label confirms the item and records its weight. A misread, an unknown code or another item's code "
        "rings, flashes and blocks until Esc (an Esc right after it does not leave the walk: F3 does); "
        "so does a scale label of 0 kg or far from the expected weight. "
        "Type + or - and Enter (or ctrl+up/down) to add or remove a unit "
        "by hand. F10 undoes the last action (a confirmation, a unit, a skip, a short), again and again. "
        "Items come in pick-path order (category, then name); skipped ones go to the end. "
        "Progress is saved on this terminal after every confirmation (the API has no endpoint to record "
        "picks): reopening the worksheet continues where you were. "
        "The server's own status code is shown in brackets where it differs from the words."
    )
    CSS_PATH = css("walkthrough")
    # Group labels are msgids: the footer shows them in the user's language.
    _MOVE = Binding.Group(N_("Prev/Next"))
    _UNIT = Binding.Group(N_("±1 unit"))
    BINDINGS = [
        bind("walk.list", "items", priority=True),
        bind("walk.prev", "previous", priority=True, group=_MOVE),
        bind("walk.next", "next", priority=True, group=_MOVE),
        bind("walk.skip", "skip", priority=True),
        bind("walk.short", "short", priority=True),
        bind("walk.undo", "undo", priority=True),
        bind("walk.unit_add", "add_unit", priority=True, group=_UNIT),
        bind("walk.unit_remove", "remove_unit", priority=True, group=_UNIT),
        bind("walk.summary", "summary", priority=True),
        # Refresh stays on F5 (help and ctrl+p list it); the footer keeps its room for picking keys.
        bind("refresh", "refresh", priority=True, show=False),
        bind("walk.tab", "tab_terminator", described=False, show=False),  # not priority: after the keys before it
        # Not priority: after the keys before it. Leaves, unless an error was just acknowledged.
        bind("walk.leave", "leave", show=False),
    ]
    clock: Callable[[], float] = staticmethod(time.monotonic)  # injectable (tests)

    def __init__(self, worksheet_id: str) -> None:
        super().__init__(subtitle=worksheet_id)
        self.worksheet_id = worksheet_id
        self.model: Any = None  # PickProgress once the worksheet is loaded
        self.settings: Any = None
        self.facility_name: str | None = None
        self.pending: list[str] = []  # scans waiting for the barcodes
        # Actions waiting their turn, oldest first: (the scan, or None for a key; the step).
        self._queue: deque[tuple[str | None, Callable[[], Awaitable[None]]]] = deque()
        self.working = False  # a worker is doing the queue's actions
        self.saving = False  # one of them is on a worker thread now (being saved)
        self.barcodes_loaded = asyncio.Event()
        self._idle_timer: Any = None
        self._fresh = False
        self.blocking: Any = None  # the open ScanErrorDialog: nothing counts until it is acknowledged
        self.acknowledged_at: float | None = None  # when the last error was acknowledged

    # ------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("", id="walk-status")
            yield Static("", id="walk-progress")
            with Horizontal(id="walk-main"):
                yield ItemPanel(id="walk-item")
                yield Static("", id="walk-side")
            yield Static("", id="walk-next")
            yield Static(Content(_(SAVED_HINT)), id="walk-feedback")
        yield ScanField(placeholder=_("Scan an item"), id="scan", select_on_focus=False, compact=True, max_length=128)

    @property
    def scan_field(self) -> ScanField:
        return self.query_one("#scan", ScanField)

    def on_mount(self) -> None:
        field = self.scan_field
        field.cursor_blink = False  # no blinking over SSH
        field.focus()
        self._layout_classes()
        self.query_one(ItemPanel).show_nothing(_("Worksheet {id}").format(id=self.worksheet_id))
        self.query_one("#walk-status", Static).update(Content(_("loading the worksheet…")))
        super().on_mount()

    def on_screen_resume(self) -> None:
        # F3 (a global key) closes a dialog without answering it: an error closed that way
        # is acknowledged all the same.
        if self.blocking is not None and self.blocking not in self.app.screen_stack:
            self._acknowledged()
        self.scan_field.focus()

    def on_resize(self) -> None:
        self._layout_classes()
        self._show_side()

    def _layout_classes(self) -> None:
        width, height = self.app.size
        self.set_class(width >= 120, "-wide")
        self.set_class(height >= 22, "-tall")

    # ------------------------------------------------------------ loading

    def recent_ident(self) -> str:
        return self.worksheet_id

    async def fetch(self, client: Any, fresh: bool) -> Any:
        """The worksheet (the walk so far is read from the store when it is shown)."""
        self._fresh = fresh
        return await client.get_worksheet(self.worksheet_id, fresh=fresh)

    def show(self, data: Any) -> None:
        self.start_walk(data)

    @work(exclusive=True, group="walk-open", exit_on_error=False)
    async def start_walk(self, worksheet: Any) -> None:
        """A new walk from the worksheet and everything this terminal recorded for it (read
        off the event loop). Until this moment a refresh (F5) leaves the previous walk working."""
        from pickterm.picking import PickProgress
        from pickterm.store.state import WorksheetProgress

        state = self.pickapp.state
        progress = None
        error = self.pickapp.store_error
        if state is not None:
            try:
                progress = await in_thread(state.load_progress, self.worksheet_id)
            except Exception as exc:  # the walk works, but nothing is kept
                error = exc
        if state is None or progress is None:  # no local store: the walk works, but nothing is kept
            state = None
            progress = WorksheetProgress(worksheet_id=self.worksheet_id)
            self.error_panel.show_message(
                _("⚠ Progress is NOT saved: the local store is unavailable ({error}).").format(error=error)
            )
        self.barcodes_loaded.clear()
        self.settings = self._scan_settings()
        self.scan_field.terminator = self.settings.terminator
        self.model = PickProgress(worksheet, store=state, progress=progress, settings=self.settings)
        if state is not None and self.model.current_id and self.model.current_id != progress.current_item:
            self._enqueue(None, self._remember_current)
        self._show_status()
        self._show_all()
        self._feedback(Content(_(SAVED_HINT) + " " + _("Loading barcodes…")), "-wait")
        self.load_barcodes(worksheet, self._fresh)
        if worksheet.facility_id and self.facility_name is None:
            self.load_facility(worksheet.facility_id)

    def _scan_settings(self) -> Any:
        from pickterm.scan import ScanSettings

        settings = self.pickapp.settings
        if self.pickapp.demo or settings is None:
            return ScanSettings()
        try:
            return ScanSettings.from_config(
                settings.scan_terminator, settings.scan_layout, getattr(settings, "scan_weight_tolerance", None)
            )
        except ValueError as exc:
            self.error_panel.show_message(_("✘ Scan settings: {error}. Using the defaults.").format(error=exc))
            return ScanSettings()

    @work(exclusive=True, group="barcodes", exit_on_error=False)
    async def load_barcodes(self, worksheet: Any, fresh: bool = False) -> None:
        """Every order of the worksheet, at once (the client bounds how many run together)."""
        order_ids = worksheet.order_ids
        try:
            client = await self.pickapp.client()
            results = await asyncio.gather(
                *(client.get_order(o, fresh=fresh) for o in order_ids), return_exceptions=True
            )
        except Exception as exc:  # no client: the worksheet's SKUs and reference codes still scan
            results = [exc] * len(order_ids)
        orders, missing, first_error = [], [], None
        for order_id, result in zip(order_ids, results, strict=True):
            if isinstance(result, BaseException):
                missing.append(order_id)
                first_error = first_error or result
            else:
                orders.append(result)
        model = self.model
        if model is None or model.worksheet is not worksheet:
            return
        model.load_barcodes(orders, missing)
        self.barcodes_loaded.set()
        if first_error is not None:
            self.error_panel.show_error(
                first_error,
                hint=ngettext(
                    "Barcodes of {n} order are missing: scan the SKU or reference code, or {key} to retry.",
                    "Barcodes of {n} orders are missing: scan the SKU or reference code, or {key} to retry.",
                    len(missing),
                ).format(key=self.pickapp.key_words("refresh"), n=len(missing)),
            )
        self._show_all()
        if self.pending:
            self._drain()
        elif not model.items:
            self._feedback(Content(_("This worksheet has no items: nothing to pick.")), "")
        elif model.all_settled:
            self._feedback(
                Content(
                    _(SAVED_HINT)
                    + " "
                    + _("Every item is done or short ({key}: summary).").format(
                        key=self.pickapp.key_words("walk.summary")
                    )
                ),
                "",
            )
        elif model.notes:
            self._show_notes()
        else:
            self._feedback(Content(_(SAVED_HINT) + " " + _("Scan the item.")), "")

    def _show_notes(self) -> None:
        """The worksheet's notes, where the picker looks when the walk starts (all of them: F12)."""
        notes = self.model.notes
        more = (
            _(" (+{n} more: {key})").format(n=len(notes) - 1, key=self.pickapp.key_words("walk.summary"))
            if len(notes) > 1
            else ""
        )
        self._feedback(
            Content.assemble(Content.styled(_("✎ Note: "), "bold"), literal(notes[0]), Content(more)), "-info"
        )

    @work(group="facility", exit_on_error=False)
    async def load_facility(self, facility_id: str) -> None:
        try:
            client = await self.pickapp.client()
            facility = await client.get_facility(facility_id)
        except Exception:  # the id is shown instead
            return
        self.facility_name = facility.name or None
        self._show_status()

    # ------------------------------------------------------------ scans

    def on_scan_field_scanned(self, event: ScanField.Scanned) -> None:
        """One scan, as it was typed before its terminator (never the field's value now)."""
        event.stop()
        self.handle_scan(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # the scan field posts Scanned instead

    def on_input_changed(self, event: Input.Changed) -> None:
        terminator = self.settings.terminator if self.settings is not None else "\n"
        if terminator:  # the scan field ends scans at their terminator
            return
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        if event.value:
            self._idle_timer = self.set_timer(IDLE_SUBMIT_SECONDS, self._submit)

    def action_tab_terminator(self) -> None:
        """Tab that is no terminator: the focus stays on the scan field."""

    def action_leave(self) -> None:
        """Esc: back, unless an error was acknowledged a moment ago (a double Esc)."""
        if self.blocking is not None:
            return
        if self.acknowledged_at is not None and self.clock() - self.acknowledged_at < ESC_GUARD_SECONDS:
            self._feedback(
                Content(
                    _("Esc ignored: the error was just acknowledged. {key} leaves.").format(
                        key=self.pickapp.key_words("back")
                    )
                ),
                "-info",
            )
            return
        self.pickapp.go_back()

    def _submit(self) -> None:
        field = self.scan_field
        raw = field.value
        field.value = ""
        if raw.strip():
            self.handle_scan(raw)

    def handle_scan(self, raw: str) -> None:
        """One scan (or ``+`` / ``-`` typed for a unit by hand): queued in order, and held
        until the barcodes are ready."""
        if self.blocking is not None and not self.working:
            self.blocking.not_counted(raw)
            return
        if self.model is None or not self.model.index_ready or self.pending:
            self.pending.append(raw)
            waiting = ngettext(
                "Loading barcodes… {n} scan waiting", "Loading barcodes… {n} scans waiting", len(self.pending)
            )
            self._feedback(Content(waiting.format(n=len(self.pending))), "-wait")
            return
        self._enqueue_scan(raw)

    def _enqueue_scan(self, raw: str) -> None:
        text = raw.strip()
        if text == "+":
            self._enqueue(raw, self._commit_step(lambda model: model.add_unit()))
        elif text == "-":
            self._enqueue(raw, self._commit_step(lambda model: model.remove_unit()))
        else:
            self._enqueue(raw, self._commit_step(lambda model: model.scan(raw)))

    def _drain(self) -> None:
        """Queue the scans that waited for the barcodes, in order."""
        pending, self.pending = self.pending, []
        for raw in pending:
            self._enqueue_scan(raw)

    # ------------------------------------------------------------ the queue

    def _enqueue(self, raw: str | None, step: Callable[[], Awaitable[None]]) -> None:
        """Do ``step`` after everything queued before it (``raw``: the scan it is, if one)."""
        self._queue.append((raw, step))
        if not self.working:
            self.working = True
            self._work_queue()
        elif raw is not None:
            self._show_saving()

    def _show_saving(self) -> None:
        """An action is being saved (and these scans wait behind it)."""
        waiting = sum(1 for scan, _step in self._queue if scan is not None)
        if waiting:
            said = ngettext("Saving… {n} scan waiting", "Saving… {n} scans waiting", waiting)
            self._feedback(Content(said.format(n=waiting)), "-wait")
        else:
            self._feedback(Content(_("Saving…")), "-wait")

    @work(group="walk", exit_on_error=False)
    async def _work_queue(self) -> None:
        """The queued actions, one at a time. Behind a blocking error nothing is done: a scan
        is shown on the error as not counted (the picker scans it again), a key rings."""
        try:
            while self._queue:
                raw, step = self._queue.popleft()
                if self.blocking is not None:
                    if raw is not None:
                        self.blocking.not_counted(raw)
                    else:
                        self.app.bell()
                    continue
                await step()
        finally:
            self.working = False
            self._queue.clear()

    def _commit_step(self, action: Callable[[Any], Any]) -> Callable[[], Awaitable[None]]:
        """A step that does ``action(model)`` (which saves first) on a worker thread, then shows
        what it did: the screen is never held up by the store."""

        async def step() -> None:
            model = self.model
            slow = self.set_timer(SAVING_HINT_SECONDS, self._show_saving)
            self.saving = True
            try:
                outcome = await in_thread(action, model)
            finally:
                self.saving = False
                slow.stop()
            if model is self.model:  # not replaced by a refresh meanwhile
                self._apply(outcome)

        return step

    async def _remember_current(self) -> None:
        """Where the walk stands, saved (a convenience: a failure changes nothing)."""
        model, state = self.model, self.pickapp.state
        if model is None or state is None or model.current_id is None:
            return
        try:
            await in_thread(state.set_current_item, self.worksheet_id, model.current_id)
        except Exception:  # the next move saves it again
            pass

    # ------------------------------------------------------------ outcomes

    # What the key of a walk result's ``action`` does, in words (the core names no key).
    # A walk result's ``action``: the binding whose key helps next, and what it does, in words.
    ACTION_HINTS = {
        "items": ("walk.list", N_("{key} lists every item.")),
        "refresh": ("refresh", N_("{key} loads them again.")),
    }

    def _words(self, outcome: Any) -> Any:
        """``outcome`` in words (walk_words.Said), its detail followed by the key in effect
        that helps next (its ``action``)."""
        words = said(outcome)
        if outcome.action not in self.ACTION_HINTS:
            return words
        binding_id, hint = self.ACTION_HINTS[outcome.action]
        key_hint = _(hint).format(key=self.pickapp.key_words(binding_id))
        return dataclasses.replace(words, detail=" ".join(p for p in (words.detail, key_hint) if p))

    def _apply(self, outcome: Any) -> None:
        """Show what an action did (a picking.Outcome), once it is saved."""
        from pickterm.screens.walkthrough_dialogs import ScanErrorDialog, SummaryDialog

        words = self._words(outcome)
        if outcome.blocking:
            self._show_all()  # a pick refused because another terminal counted first: the store's count
            self._feedback(literal(_("✘ {title}: not counted").format(title=words.title), multiline=False), "-error")
            self.blocking = ScanErrorDialog(words)
            self.app.push_screen(self.blocking, self._acknowledged)
            return
        self._show_all()
        if outcome.kind == "pick":
            text = Content.assemble(Content.styled("✔ ", "bold"), literal(words.detail))
            self._feedback(text, "-ok")
        elif words.title or words.detail:
            parts = [p for p in (words.title, words.detail) if p]
            self._feedback(Content.assemble(Content.styled("ℹ ", "bold"), literal(": ".join(parts))), "-info")
        else:
            self._feedback(Content(""), "")
        if outcome.finished:
            self.app.push_screen(SummaryDialog(self.model))

    def _acknowledged(self, _result: Any = None) -> None:
        if self.blocking is None:
            return
        title = self.blocking.said.title
        self.blocking = None
        self.acknowledged_at = self.clock()
        self._feedback(literal(_("✘ {title}: not counted. Scan the item.").format(title=title), multiline=False), "")

    def _feedback(self, text: Content, tone: str) -> None:
        line = self.query_one("#walk-feedback", Static)
        line.update(text)
        line.set_classes(tone or "")

    # ------------------------------------------------------------ showing

    def _show_all(self) -> None:
        """Put the walk on screen (after every scan: only what a scan can change)."""
        model = self.model
        if model is None:
            return
        self.query_one("#walk-progress", Static).update(Content(counts_text(model.counts())), layout=False)
        panel = self.query_one(ItemPanel)
        item = model.current
        if item is None:
            panel.show_nothing(_("This worksheet has no items."))
        else:
            panel.show_item(item, model.position(), len(model.walk))
        after = model.next_open_after(model.current_id) if item is not None else None
        self.query_one("#walk-next", Static).update(
            Content.assemble(Content.styled(_("Next: "), "dim"), literal(model.items[after].name)) if after else "",
            layout=False,
        )
        self.scan_field.placeholder = _("Scan an item") if model.index_ready else _("Scan (loading barcodes…)")
        self._show_side()

    def _show_status(self) -> None:
        model = self.model
        if model is None:
            return
        ws = model.worksheet
        facility = self.facility_name or ws.facility_id or _("no facility")
        self.query_one("#walk-status", Static).update(
            Content.assemble(status_content(ws.status), " · ", literal(facility))
        )

    def _show_side(self) -> None:
        """From 120 columns: the walk around the current item beside it."""
        if self.model is None or not self.has_class("-wide"):
            return
        model = self.model
        rows = max(5, self.query_one("#walk-side").size.height or 20)
        start = max(0, min(model.position() - rows // 3, len(model.walk) - rows))
        lines = [walk_line(model.items[i], i == model.current_id) for i in model.walk[start : start + rows]]
        self.query_one("#walk-side", Static).update(Content("\n").join(lines))

    # ------------------------------------------------------------ actions

    def _ready(self) -> bool:
        if self.blocking is not None:
            self.app.bell()
            return False
        if self.model is None:
            self._feedback(Content(_("The worksheet is still loading.")), "-wait")
            return False
        return True

    def _act(self, action: Callable[[Any], Any]) -> None:
        """A key's action on the walk, after what is queued before it."""
        if self._ready():
            self._enqueue(None, self._commit_step(action))

    def action_add_unit(self) -> None:
        self._act(lambda model: model.add_unit())

    def action_remove_unit(self) -> None:
        self._act(lambda model: model.remove_unit())

    def action_next(self) -> None:
        self._act(lambda model: model.next())

    def action_previous(self) -> None:
        self._act(lambda model: model.previous())

    def action_skip(self) -> None:
        self._act(lambda model: model.skip())

    def action_undo(self) -> None:
        self._act(lambda model: model.undo())

    def action_short(self) -> None:
        if self._ready():
            self._enqueue(None, self._ask_short)

    async def _ask_short(self) -> None:
        """Why the current item is short (asked once what came before is done), then save it."""
        from pickterm.screens.walkthrough_dialogs import ShortReasonDialog

        item = self.model.current
        if item is None:
            return
        if item.status == "done":
            await self._commit_step(lambda model: model.short("-"))()  # says it is already done
            return
        reason = await self.app.push_screen_wait(ShortReasonDialog(item.name, item.picked, item.need))
        if reason:
            await self._commit_step(lambda model: model.short(reason))()

    def action_items(self) -> None:
        if self._ready():
            self._enqueue(None, self._ask_item)

    async def _ask_item(self) -> None:
        from pickterm.screens.walkthrough_dialogs import ItemListDialog

        item_id = await self.app.push_screen_wait(ItemListDialog(self.model))
        if item_id:
            await self._commit_step(lambda model: model.open(item_id))()

    def action_summary(self) -> None:
        if self._ready():
            self._enqueue(None, self._show_summary)

    async def _show_summary(self) -> None:
        from pickterm.screens.walkthrough_dialogs import SummaryDialog

        self.app.push_screen(SummaryDialog(self.model))

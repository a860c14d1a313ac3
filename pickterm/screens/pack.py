"""The packing station: check every box against its package, print its label, confirm the label.

The screen is thin: :class:`pickterm.packing.PackSession` holds the packing and does every
step (stored first); this screen shows it, keeps the scan field focused, words the outcome
codes, and turns blocking ones into a modal error the packer acknowledges with Esc (the
walkthrough's rules: bursts are split, a scan never answers a dialog).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

# The printer's and the label host's failures in words, shared with the command line.
from pickterm.commands.printer import LABEL_ERROR_WORDS, PRINT_ERROR_WORDS, PROBLEM_WORDS
from pickterm.i18n import N_, _, ngettext
from pickterm.screens.base import DataScreen
from pickterm.stylesheets import css
from pickterm.widgets.common import literal
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import ScanField

if TYPE_CHECKING:
    from pickterm.packing import Outcome

ESC_GUARD_SECONDS = 1.0  # Esc this soon after acknowledging an error does not leave


class PackScreen(DataScreen):
    """Pack one order: its packages, unit by unit, each with its label."""

    TITLE = N_("Pack")
    HELP = N_(
        "Scan each item into the current package: a scan counts only for the package it belongs to. "
        "An item of another package, an item already complete, a code not in the order or a misread "
        "rings and blocks until Esc. F10 takes back the last unit. "
        "When every unit is in the box, F4 prints its label; F6 prints it again (asked and counted); "
        "F7 prints the label of a package not fully packed, with a reason that is kept. "
        "Then scan the label's barcode (the tracking number) on the box: a label of another package "
        "or shipment blocks. An item without EAN is confirmed with F8, never by a scan. "
        "F9 goes to the next package. Progress is saved on this terminal after every step. "
        "Alt+H shows the packing history: prints and reprints, forced prints with their reason, items "
        "confirmed by key."
    )
    CSS_PATH = css("pack")
    BINDINGS = [
        bind("pack.print", "print_label", priority=True),
        bind("pack.reprint", "reprint", priority=True),
        bind("pack.force", "force_print", priority=True),
        bind("pack.no_ean", "no_ean", priority=True),
        bind("pack.next", "next_package", priority=True),
        bind("pack.undo", "undo", priority=True),
        bind("pack.tracking", "tracking", priority=True),
        bind("pack.history", "history", priority=True),
        bind("refresh", "refresh", priority=True, show=False),
        bind("pack.tab", "tab_terminator", described=False, show=False),
        bind("pack.leave", "leave", show=False),
    ]
    clock: Callable[[], float] = staticmethod(time.monotonic)

    def __init__(self, order_id: str, *, package_id: str | None = None) -> None:
        super().__init__(subtitle=order_id)
        self.order_id = order_id
        self.package_id = package_id  # the package to start on (opened by its id), else the first open one
        self.session: Any = None  # PackSession once loaded
        self.blocking: Any = None  # the open PackErrorDialog
        self.acknowledged_at: float | None = None
        self.printing = False
        self.pending: list[str] = []

    # ------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("", id="pack-progress")
            yield Static("", id="pack-box")
            yield Static("", id="pack-description")
            with VerticalScroll(id="pack-items"):
                yield Static("", id="pack-lines")
            yield Static("", id="pack-others")
            yield Static(Content(_("Progress is saved on this terminal.")), id="pack-feedback")
        yield ScanField(placeholder=_("Scan an item or a label"), id="scan", select_on_focus=False, compact=True)

    @property
    def scan_field(self) -> ScanField:
        return self.query_one("#scan", ScanField)

    def on_mount(self) -> None:
        self.scan_field.cursor_blink = False
        self.scan_field.focus()
        self.query_one("#pack-progress", Static).update(Content(_("loading the order's packages…")))
        super().on_mount()

    def on_screen_resume(self) -> None:
        if self.blocking is not None and self.blocking not in self.app.screen_stack:
            self._acknowledged()
        self.scan_field.focus()

    # ------------------------------------------------------------ loading

    async def fetch(self, client: Any, fresh: bool) -> Any:
        from pickterm.resolve import order_shipments

        return await order_shipments(client, self.order_id, fresh=fresh)

    def show(self, data: Any) -> None:
        from pickterm.packing import PackSession, build_packages
        from pickterm.scan import ScanSettings

        order, shipments = data
        state = self.pickapp.state
        if state is None:
            self.session = None
            self.error_panel.show_message(
                _("✘ Packing needs the local store, which is unavailable ({error}).").format(
                    error=self.pickapp.store_error
                )
            )
            return
        settings = self.pickapp.settings
        scan = ScanSettings()
        if settings is not None and not self.pickapp.demo:
            try:
                scan = ScanSettings.from_config(settings.scan_terminator, settings.scan_layout)
            except ValueError:
                scan = ScanSettings()
        self.scan_field.terminator = scan.terminator
        self.session = PackSession(self.order_id, build_packages(order, shipments), state, scan)
        wanted, self.package_id = self.package_id, None
        if wanted is not None:
            self.session.select(
                next(
                    (i for i, p in enumerate(self.session.packages) if p.package_id.split("@")[0] == wanted),
                    self.session.current,
                )
            )
        self._show_all()
        if not self.session.packages:
            self._feedback(Content(_("This order has no packages: nothing to pack.")), "-info")
        pending, self.pending = self.pending, []
        for raw in pending:
            self.handle_scan(raw)

    # ------------------------------------------------------------ printer

    def printer(self) -> Any:
        """The label printer: the profile's ``printer``; the demo writes labels to files
        under its state directory."""
        from pickterm.printers import parse_printer

        if self.pickapp.demo:
            from pickterm.store.state import state_path

            return parse_printer(f"file:{state_path(demo=True).parent / 'demo-labels'}")
        settings = self.pickapp.settings
        spec = getattr(settings, "printer", None) if settings is not None else None
        return parse_printer(spec) if spec else None

    def _label_transport(self) -> Any:
        sandbox = self.pickapp.sandbox
        return sandbox.transport() if sandbox is not None else None

    # ------------------------------------------------------------ scans

    def on_scan_field_scanned(self, event: ScanField.Scanned) -> None:
        event.stop()
        self.handle_scan(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def action_tab_terminator(self) -> None:
        """Tab that is no terminator: the focus stays on the scan field."""

    def handle_scan(self, raw: str) -> None:
        if self.blocking is not None:
            self.blocking.not_counted(raw)
            return
        if self.session is None:
            self.pending.append(raw)
            return
        self._apply(self.session.scan(raw))

    # ------------------------------------------------------------ words

    def _package_words(self, index: int) -> str:
        return _("package {n}/{total}").format(n=index + 1, total=len(self.session.packages))

    def _item_name(self, outcome: Outcome) -> str:
        code: str = outcome.data.get("code", "")
        return outcome.item.name if outcome.item is not None and outcome.item.name else code

    def _error(self, outcome: Any) -> Any:
        from pickterm.screens.pack_dialogs import PackError

        code = outcome.data.get("code", "")
        here = self._package_words(self.session.current)
        if outcome.code == "wrong_package":
            other = self._package_words(outcome.data["other"])
            return PackError(
                _("Wrong package"),
                code,
                here,
                _("{name} belongs to {other}. Keep it out of this box.").format(
                    name=self._item_name(outcome), other=other
                ),
            )
        if outcome.code == "item_complete":
            return PackError(
                _("Already complete"),
                code,
                here,
                _("Every unit of {name} is already in this box.").format(name=self._item_name(outcome)),
            )
        if outcome.code in ("bad_check_digit", "bad_scan"):
            return PackError(_("Misread"), code, here, outcome.data.get("error") or _("Scan it again."))
        if outcome.code == "label_wrong":
            other = self._package_words(outcome.data["other"])
            return PackError(
                _("Wrong label"),
                code,
                self.session.packages[self.session.current].tracking or "",
                _("This label belongs to {other}: it must not go on this box.").format(other=other),
            )
        if outcome.code == "label_not_printed":
            return PackError(
                _("Label not printed"),
                code,
                here,
                _("This package's label has not printed yet: {key} prints it.").format(
                    key=self.pickapp.key_words("pack.print")
                ),
            )
        if outcome.code == "label_unpacked":
            return PackError(
                _("Package not packed"),
                code,
                here,
                _("Units of this package were taken back: scan them into the box before its label."),
            )
        if outcome.code == "refused":
            return PackError(_("Already packed elsewhere"), code, here, _("Another terminal counted it first."))
        return PackError(
            _("Not in this order"), code, here, _("{code} is no item of this order's packages.").format(code=code)
        )

    def _apply(self, outcome: Any) -> None:
        from pickterm.screens.pack_dialogs import PackErrorDialog

        self._show_all()
        if outcome.blocking:
            error = self._error(outcome)
            self._feedback(literal(_("✘ {title}: not counted").format(title=error.title), multiline=False), "-error")
            self.blocking = PackErrorDialog(error)
            self.app.push_screen(self.blocking, self._acknowledged)
            return
        code = outcome.code
        if code == "counted":
            item = outcome.item
            units = self.session.units_of(outcome.package, item)
            self._ok(_("{name}: {units}/{need}").format(name=item.name, units=units, need=item.quantity))
        elif code == "packed":
            self._ok(_("Package packed: {key} prints its label.").format(key=self.pickapp.key_words("pack.print")))
        elif code == "undone":
            name = outcome.item.name if outcome.item is not None else ""
            self._info(_("Took back one unit of {name}.").format(name=name))
        elif code == "nothing_to_undo":
            self._info(_("Nothing to take back."))
        elif code == "label_confirmed":
            self._ok(_("Label confirmed: the package is done."))
        elif code == "all_done":
            self._ok(_("Every package is packed and labelled."))
            self.offer_tracking()
        elif code == "no_ean":
            self._info(_("This item has a barcode: scan it."))
        else:
            self._info(code)

    def _ok(self, text: str) -> None:
        self._feedback(Content.assemble(Content.styled("✔ ", "bold"), literal(text)), "-ok")

    def _info(self, text: str) -> None:
        self._feedback(Content.assemble(Content.styled("ℹ ", "bold"), literal(text)), "-info")

    def _fail(self, text: str) -> None:
        self.app.bell()
        self._feedback(Content.assemble(Content.styled("✘ ", "bold"), literal(text)), "-error")

    def _acknowledged(self, _result: Any = None) -> None:
        if self.blocking is None:
            return
        title = self.blocking.error.title
        self.blocking = None
        self.acknowledged_at = self.clock()
        self._feedback(literal(_("✘ {title}: not counted.").format(title=title), multiline=False), "")

    def _feedback(self, text: Content, tone: str) -> None:
        line = self.query_one("#pack-feedback", Static)
        line.update(text)
        line.set_classes(tone or "")

    # ------------------------------------------------------------ showing

    def _label_words(self, index: int) -> str:
        session = self.session
        if session.is_done(index):
            return _("label confirmed")
        prints = session.prints(index)
        if session.uncertain(index) and not prints:
            return _("label may have printed")
        if prints:
            return _("printed {n} times").format(n=prints) if prints > 1 else _("label printed")
        return _("label not printed")

    def _others_words(self) -> str:
        """One line for the packages other than the current one: how many are done, packed, to pack."""
        session = self.session
        others = [i for i in range(len(session.packages)) if i != session.current]
        done = sum(1 for i in others if session.is_done(i))
        packed = sum(1 for i in others if not session.is_done(i) and session.is_packed(i))
        left = len(others) - done - packed
        parts = [
            words.format(n=n)
            for n, words in (
                (done, ngettext("{n} done", "{n} done", done)),
                (packed, ngettext("{n} packed", "{n} packed", packed)),
                (left, ngettext("{n} to pack", "{n} to pack", left)),
            )
            if n
        ]
        return ngettext("other package: {summary}", "other packages: {summary}", len(others)).format(
            summary=", ".join(parts)
        )

    def _show_all(self) -> None:
        session = self.session
        if session is None:
            return
        if not session.packages:
            self.query_one("#pack-progress", Static).update(Content(_("No packages")))
            return
        number, total, packed, units = session.progress()
        index = session.current
        package = session.packages[index]
        done = " ✔" if session.is_done(index) else ""
        self.query_one("#pack-progress", Static).update(
            Content(
                _("package {n}/{total} · {packed}/{units} units").format(
                    n=number, total=total, packed=packed, units=units
                )
                + done
            )
        )
        facts = [p for p in (package.weight and f"{package.weight} kg", package.dimensions) if p]
        box = Content.assemble(
            literal(" · ".join([*facts, package.tracking or package.shipment_id]), multiline=False),
            Content(" · " + self._label_words(index)),
        )
        self.query_one("#pack-box", Static).update(box)
        description = self.query_one("#pack-description", Static)
        description.update(literal(package.description or "", multiline=False))
        description.display = bool(package.description)
        others = self.query_one("#pack-others", Static)
        others.update(Content(self._others_words()))
        others.display = total > 1
        lines = []
        for item in package.items:
            have = session.units_of(index, item)
            mark = "✔" if have >= item.quantity else "·"
            extra = ""
            if item.ean is None:
                extra = (
                    " " + _("(no EAN: confirmed by key)")
                    if session.is_manual(index, item)
                    else " " + _("(no EAN: {key})").format(key=self.pickapp.key_words("pack.no_ean"))
                )
            lines.append(
                Content.assemble(
                    Content(f"{mark} {have}/{item.quantity} "), literal(item.name, multiline=False), Content(extra)
                )
            )
        if not package.items:
            lines.append(Content(_("This package has no items: only a forced print labels it.")))
        self.query_one("#pack-lines", Static).update(Content("\n").join(lines))

    # ------------------------------------------------------------ actions

    def _ready(self) -> bool:
        if self.blocking is not None:
            self.app.bell()
            return False
        if self.session is None or not self.session.packages:
            self._info(_("The order's packages are still loading."))
            return False
        if self.printing:
            self._info(_("A label is printing: wait for it."))
            return False
        return True

    def action_undo(self) -> None:
        if self._ready():
            self._apply(self.session.undo())

    def action_next_package(self) -> None:
        if not self._ready():
            return
        session = self.session
        total = len(session.packages)
        for step in range(1, total + 1):
            index = (session.current + step) % total
            if not session.is_done(index) or step == total:
                session.select(index)
                break
        self._show_all()
        self._info(self._package_words(session.current))

    def action_leave(self) -> None:
        if self.blocking is not None:
            return
        if self.acknowledged_at is not None and self.clock() - self.acknowledged_at < ESC_GUARD_SECONDS:
            self._info(
                _("Esc ignored: the error was just acknowledged. {key} leaves.").format(
                    key=self.pickapp.key_words("back")
                )
            )
            return
        self.pickapp.go_back()

    def action_history(self) -> None:
        """The order's packing history on this terminal (read-only)."""
        from pickterm.packing import pack_history
        from pickterm.screens.pack_history import PackHistoryDialog
        from pickterm.store.state import StateError

        if self.blocking is not None or self.session is None:
            self._info(_("The order's packages are still loading."))
            return
        try:
            entries = pack_history(self.session.db, self.order_id, self.session.packages)
        except StateError as exc:
            self._fail(_("The packing history cannot be read: {error}").format(error=exc))
            return
        self.app.push_screen(PackHistoryDialog(self.order_id, entries, len(self.session.packages)))

    def action_tracking(self) -> None:
        self.pickapp.open("track", self.order_id)

    @work(exclusive=True, group="pack-ask", exit_on_error=False)
    async def offer_tracking(self) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        question = _("Every package is packed and labelled. Open the tracking form?")
        if await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Tracking form"), no=_("Stay"))):
            self.pickapp.open("track", self.order_id)

    @work(exclusive=True, group="pack-ask", exit_on_error=False)
    async def action_no_ean(self) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        if not self._ready():
            return
        session = self.session
        index = session.current
        item = next(
            (i for i in session.packages[index].items if i.ean is None and session.units_of(index, i) < i.quantity),
            None,
        )
        if item is None:
            self._info(_("No item without EAN is left in this package."))
            return
        question = _("{name} has no barcode. Is it in the box ({n})?").format(name=item.name, n=item.quantity)
        if await self.app.push_screen_wait(ConfirmScreen(question, yes=_("In the box"), no=_("Not yet"))):
            self._apply(session.confirm_without_ean(item))

    def action_print_label(self) -> None:
        if not self._ready():
            return
        session = self.session
        index = session.current
        refused = session.may_print(index)
        if refused is not None and refused.code == "not_packed":
            self._fail(
                _("The package is not fully packed: {key} prints it anyway, with a reason.").format(
                    key=self.pickapp.key_words("pack.force")
                )
            )
            return
        if refused is not None:
            self._fail(
                _("The label printed already ({n}): {key} prints it again.").format(
                    n=session.prints(index), key=self.pickapp.key_words("pack.reprint")
                )
            )
            return
        self.print_job(index)

    @work(exclusive=True, group="pack-ask", exit_on_error=False)
    async def action_reprint(self) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        if not self._ready():
            return
        session = self.session
        index = session.current
        if not session.prints(index) and not session.uncertain(index):
            self._info(
                _("The label has not printed yet: {key} prints it.").format(key=self.pickapp.key_words("pack.print"))
            )
            return
        prints = session.prints(index)
        question = ngettext(
            "Print the label of {package} again? It printed {n} time.",
            "Print the label of {package} again? It printed {n} times.",
            prints,
        ).format(package=self._package_words(index), n=prints)
        if await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Reprint"), no=_("No"))):
            self.print_job(index, reprint=True)

    def action_force_print(self) -> None:
        from pickterm.screens.pack_dialogs import ForcedReasonDialog

        if not self._ready():
            return
        session = self.session
        index = session.current
        if session.is_packed(index):
            self._info(
                _("The package is packed: {key} prints its label.").format(key=self.pickapp.key_words("pack.print"))
            )
            return

        def chosen(reason: str | None) -> None:
            if reason:
                again = bool(session.prints(index) or session.uncertain(index))
                self.print_job(index, reprint=again, reason=reason)

        self.app.push_screen(ForcedReasonDialog(self._package_words(index)), chosen)

    @work(group="pack-print", exit_on_error=False)
    async def print_job(self, index: int, *, reprint: bool = False, reason: str | None = None) -> None:
        """Fetch the label and send it (one job at a time); the outcome in words."""
        try:
            printer = self.printer()
        except ValueError as exc:
            self._fail(_("The printer setting cannot be read: {error}").format(error=exc))
            return
        if printer is None:
            self._fail(_("No printer is set: pickterm config set printer tcp://HOST"))
            return
        self.printing = True
        self._info(_("Printing the label of {package}…").format(package=self._package_words(index)))
        try:
            outcome = await self.session.print_label(
                index, printer, reprint=reprint, reason=reason, transport=self._label_transport()
            )
        finally:
            self.printing = False
        self._show_all()
        data = outcome.data
        if outcome.code == "printed":
            times = _(" (printed {n} times)").format(n=data["count"]) if data["count"] > 1 else ""
            self._ok(_("Label sent{times}: scan its barcode on the box.").format(times=times))
        elif outcome.code == "print_failed":
            problems = ", ".join(_(PROBLEM_WORDS[p]) for p in data.get("problems", ()) if p in PROBLEM_WORDS)
            why = problems or _(PRINT_ERROR_WORDS.get(data["error"], data["error"]))
            self._fail(
                _("Printer: {why}. Nothing printed; the label is kept: {key} when ready.").format(
                    why=why, key=self.pickapp.key_words("pack.print")
                )
            )
        elif outcome.code == "print_uncertain":
            self._fail(
                _("The printer's connection dropped: the label may have printed. Look, then {key} reprints.").format(
                    key=self.pickapp.key_words("pack.reprint")
                )
            )
        elif outcome.code == "label_failed":
            why = _(LABEL_ERROR_WORDS.get(data["error"], data["error"]))
            self._fail(_("Label: {why}. Nothing printed.").format(why=why))
        elif outcome.code == "no_label":
            self._fail(_("The shipment has no label to print yet."))
        elif outcome.code == "already_printed":
            self._fail(
                _("The label printed already: {key} prints it again.").format(
                    key=self.pickapp.key_words("pack.reprint")
                )
            )
        elif outcome.code == "not_packed":
            self._fail(_("The package is not fully packed."))

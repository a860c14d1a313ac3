"""A yes/no question as a modal dialog: y confirms, n or Esc declines.

Enter is no answer: a barcode scanner ends every scan with Enter, so a scan that
arrives while the question is open must never say yes. A scan (a burst, see
:class:`~pickterm.widgets.scan_input.BurstGuard`) is reported as "not counted", a y or
n inside it answers nothing, and a lone Enter says which keys do answer.

A scan can also start with y or n (``y1509…``): its first key cannot be told from a
person's until the next one comes. So y and n answer only once the burst threshold has
passed with no other key (:meth:`BurstGuard.hold`); the rest of a scan within it drops
the answer. Esc, which no scanner sends, answers at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from pickterm.i18n import N_, _, ngettext
from pickterm.widgets.keys import bind
from pickterm.widgets.scan_input import BurstGuard

if TYPE_CHECKING:
    from pickterm.app import PickTermApp
    from pickterm.screens.base import LeaveGuard


class ConfirmScreen(BurstGuard, ModalScreen[bool]):
    BINDINGS = [
        # Not priority: the keys typed before them are weighed first (a scan answers nothing).
        bind("confirm.yes", "answer(True)"),
        bind("confirm.no", "answer(False)"),
        bind("confirm.cancel", "cancel", priority=True),
        bind("confirm.enter", "lone_enter", described=False, show=False),
    ]
    NOT_COUNTED_HINT = N_("answer with y or n")

    def __init__(self, question: str, *, yes: str = "", no: str = "") -> None:
        super().__init__()
        self.question = question
        self.yes = yes or _("Yes")
        self.no = no or _("No")
        self.ignored: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), id="dialog-question")
            not_counted = Static("", id="not-counted")
            not_counted.display = False
            yield not_counted
            yield Static(Content(_("y: {yes}   n/Esc: {no}").format(yes=self.yes, no=self.no)), id="dialog-keys")

    def not_counted(self, code: str) -> None:
        self.ignored.append(code)
        super().not_counted(code)

    def action_lone_enter(self) -> None:
        """Enter on its own is no answer either: say which keys are."""
        self.not_counted(_("(Enter)"))

    def action_answer(self, value: bool) -> None:
        """y or n: the answer, unless the key turns out to be the first of a scan."""
        self.hold(lambda: self.dismiss(value))

    def action_cancel(self) -> None:
        self.drop_held()
        self.dismiss(False)


async def ask_to_leave(screen: LeaveGuard, question: str, *, yes: str = "", no: str = "") -> bool:
    """The body of a form's ``confirm_leave``: see :meth:`LeaveGuard.ask_to_leave`."""
    return await screen.ask_to_leave(question, yes=yes, no=no)


def quit_question(pending: int, failed: int, uncertain: int = 0) -> str:
    """What quitting does to the writes in the outbox, truthfully: pending ones wait for the
    next run, failed ones and those that may have been sent are never sent again unless
    someone resends them."""

    def writes(n: int) -> str:
        return ngettext("{n} tracking write", "{n} tracking writes", n).format(n=n)

    parts = []
    if pending:
        parts.append(
            _("{writes} not sent yet: kept, and sent when pickterm runs again (or by pickterm outbox flush).").format(
                writes=writes(pending)
            )
        )
    if failed:
        parts.append(
            _(
                "{writes} refused by the server: kept, but never sent again unless you edit or resend them in the outbox."
            ).format(writes=writes(failed))
        )
    if uncertain:
        parts.append(
            _("{writes} may have been sent: kept, and never sent again unless you resend them in the outbox.").format(
                writes=writes(uncertain)
            )
        )
    return " ".join([*parts, _("Quit anyway?")])


async def quit_asking(app: PickTermApp) -> None:
    """Quit; with writes in the outbox, once the user said so to what quitting does to them."""
    await app.store.count_outbox()  # another pickterm may have sent them meanwhile
    pending, sending, failed, uncertain = app.outbox_counts
    if pending or sending or failed or uncertain:
        question = quit_question(pending + sending, failed, uncertain)
        if not await app.push_screen_wait(ConfirmScreen(question, yes=_("Quit"), no=_("Stay"))):
            return
    app.exit()

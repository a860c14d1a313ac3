"""The outbox: tracking writes not yet accepted by the server, and their history.

Pending writes are retried in the background; failed ones (the server refused them)
stay here, with the server's message, code and requestId, until the user retries,
edits or discards them. Uncertain ones ("may have been sent": no answer came back)
are never sent again on their own: r shows what the order shows now and asks before
sending again. h switches to the history: sent, failed, superseded and uncertain
entries, newest first, with time, target and the server's answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.content import Content

from pickterm.i18n import N_, _, ngettext
from pickterm.screens.list_base import ListScreen
from pickterm.store.state import StateError
from pickterm.stylesheets import css
from pickterm.widgets.common import error_facts, literal, styled_literal
from pickterm.widgets.keys import bind
from pickterm.widgets.text import block, labelled

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.store.outbox import OutboxCounts

# The entries' states (pickterm.store.outbox.entry_state) in words, the same as `pickterm outbox list`.
_STATE_STYLE = {
    "pending": (N_("⟳ pending"), "bold $warning"),
    "sending": (N_("⟳ sending"), "bold $warning"),
    "failed": (N_("✘ failed"), "bold $error"),
    "uncertain": (N_("? may have been sent"), "bold $warning"),
    "sent": (N_("✔ sent"), "bold $success"),
    "superseded": (N_("– superseded"), "dim"),
}


def _answer_line(entry: Any) -> Content | None:
    """What the server said (or what reading the order back showed), in one line."""
    answer = entry.answer or {}
    if entry.state == "superseded":
        return literal(_("superseded by a newer write: never sent"))
    if answer.get("reconciled"):
        shown = answer.get("orderDeliveredDate") or _("not delivered")
        return labelled(_("order read back"), shown)
    if entry.status == "uncertain":
        why = {"no-answer": N_("sent, but no answer came back"), "not-recorded": N_("accepted, but not recorded")}
        return literal(_(why.get(entry.uncertain_reason, N_("interrupted while being sent"))))
    if entry.state == "sent":
        events = answer.get("events") or []
        text = _("delivered {date}").format(date=answer.get("deliveredDate") or "-")
        if events:
            text += ngettext(", {n} event", ", {n} events", len(events)).format(n=len(events))
        return labelled(_("server"), text)
    return None


def entry_content(entry: Any) -> Content:
    """One outbox entry as stacked lines, readable at 40 columns."""
    from pickterm.api.models import format_api_datetime

    word, style = _STATE_STYLE.get(entry.status, (entry.status, "bold"))
    word = _(word)
    settled = entry.sent_at or entry.settled_at
    lines = [
        Content.assemble(
            Content.styled(f"#{entry.id} ", "dim"),
            styled_literal(entry.order_id, "bold"),
            "  ",
            Content.styled(word, style),
        ),
        labelled(
            _("settled") if settled and entry.state != "pending" else _("created"),
            format_api_datetime(settled if settled and entry.state != "pending" else entry.created_at),
        ),
        labelled(_("to"), str(entry.target) if entry.target else _("unknown (older pickterm)")),
        Content.assemble(
            Content.styled(_("attempts: "), "dim"),
            str(entry.attempts),
            Content.styled(" · ", "dim"),
            literal(entry.summary),
        ),
    ]
    answer = _answer_line(entry)
    if answer is not None:
        lines.append(answer)
    if entry.status == "uncertain":
        lines.append(
            literal(
                _("r: check the order, then send again · d: discard")
                if entry.awaits_decision
                else _("checked against the order at the next retry")
            )
        )
    error = entry.error
    if error is not None:
        lines.append(Content.assemble(Content.styled("✘ ", "bold $error"), literal(_(error.sentence))))
        lines += [literal(fact) for fact in error_facts(error)]
    return block(lines)


def summary_text(entries: list[Any], *, history: bool) -> str:
    """The line over the list: the counts of the open writes, or of the history."""
    if history:
        if entries:
            return _("History, newest first ({n}) · h: back").format(n=len(entries))
        return _("No history yet · h: back")
    if not entries:
        return _("The outbox is empty: every tracking write was accepted.")
    from pickterm.store.outbox import OutboxCounts

    counts = OutboxCounts.of(entries)
    text = ngettext("{n} pending", "{n} pending", counts.pending).format(n=counts.pending)
    text += " · " + ngettext("{n} failed", "{n} failed", counts.failed).format(n=counts.failed)
    if counts.sending:
        text += " · " + ngettext("{n} sending", "{n} sending", counts.sending).format(n=counts.sending)
    if counts.uncertain:
        text += ngettext(" · {n} may have been sent", " · {n} may have been sent", counts.uncertain).format(
            n=counts.uncertain
        )
    return text


class OutboxScreen(ListScreen):
    TITLE = N_("Outbox")
    HELP = N_(
        "Tracking writes the server has not accepted yet. Pending ones are retried in the "
        "background; failed ones were refused and show the server's message, code and requestId. "
        '"May have been sent": no answer came back; they are never sent again on their own. '
        "r sends the highlighted write now (for one that may have been sent: shows the order first "
        "and asks), e edits it in the tracking form, d discards it, h shows the history."
    )
    CSS_PATH = css("outbox")
    LIST_NAME = "outbox"
    BINDINGS = [
        bind("outbox.retry", "retry"),
        bind("outbox.edit", "edit"),
        bind("outbox.discard", "discard"),
        bind("outbox.history", "history"),
        bind("refresh", "refresh", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(subtitle=_("tracking writes"))
        self.entries: list[Any] = []
        self.showing_history = False

    def action_history(self) -> None:
        """Switch between the open writes and the history."""
        self.showing_history = not self.showing_history
        self.set_subtitle(_("history") if self.showing_history else _("tracking writes"))
        self.load()

    def on_mount(self) -> None:
        # The background retries change the counts: show what they did.
        self.watch(self.app, "outbox_counts", self._counts_changed, init=False)
        self.load()

    def _counts_changed(self, counts: OutboxCounts) -> None:
        if self.is_current:
            self.load()

    def on_screen_resume(self) -> None:
        # Back from the tracking form, or the background retries changed something.
        if self.is_mounted:
            self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self) -> None:
        await self.pickapp.ready()
        outbox = self.pickapp.services.outbox
        if outbox is None:
            self.error_panel.show_message(_("✘ The local store could not be opened: the outbox is not available."))
            return
        try:
            # In a thread: another pickterm writing the database never holds up the screen.
            if self.showing_history:
                self.entries = await self.pickapp.store.call(outbox.history)
            else:
                self.entries = await self.pickapp.store.call(outbox.list, ("pending", "failed", "uncertain"))
        except Exception as exc:
            self.error_panel.show_error(exc, _("{key} tries again.").format(key=self.pickapp.key_words("refresh")))
            return
        self.pickapp.store.recount()
        self._show()

    def _show(self) -> None:
        self.show_list(summary_text(self.entries, history=self.showing_history), self.entries, entry_content)

    def listed(self) -> list[Any]:
        return self.entries

    def entry_id(self, entry: Any) -> str:
        return str(entry.id)

    def open_highlighted(self) -> None:
        self.action_edit()

    # ------------------------------------------------------------ actions

    def _open(self) -> Any:
        """The highlighted entry when it can still be acted on (not in the history view)."""
        entry = self.highlighted()
        return None if entry is None or entry.state not in ("pending", "failed", "uncertain") else entry

    def action_edit(self) -> None:
        entry = self._open()
        if entry is not None and entry.status == "uncertain":
            self.notify(
                _(
                    "#{id} may have been sent already: r shows the order and asks before sending it again; d discards it."
                ).format(id=entry.id),
                severity="warning",
                markup=False,
            )
        elif entry is not None:
            self.pickapp.open("track", entry.order_id, entry_id=entry.id)

    def action_retry(self) -> None:
        entry = self._open()
        if entry is not None:
            self._retry(entry.id)

    async def _order_now(self, client: PickPackClient, order_id: str) -> str:
        """What the order shows now, in one sentence (for deciding about an uncertain write)."""
        try:
            order = await client.get_order(order_id, fresh=True)
        except Exception as exc:  # the user can still decide; say why we cannot show it
            sentence = getattr(exc, "sentence", None)
            why = _(sentence) if isinstance(sentence, str) else type(exc).__name__
            return _("The order could not be read now ({why}).").format(why=why)
        shown = _("The order now shows status {status}, delivered {date}").format(
            status=order.status or "-", date=order.delivered_date or _("not set")
        )
        events = (order.model_extra or {}).get("trackingEvents")
        if isinstance(events, list) and events and isinstance(events[-1], dict):
            shown += ngettext(
                ", {n} tracking event, the last: {last}", ", {n} tracking events, the last: {last}", len(events)
            ).format(n=len(events), last=f"{events[-1].get('description')!s:.60}")
        return shown + "."

    @work(exclusive=True, group="retry", exit_on_error=False)
    async def _retry(self, entry_id: int) -> None:
        from pickterm.offloop import off_loop
        from pickterm.screens.confirm import ConfirmScreen
        from pickterm.store.outbox import Target

        outbox = self.pickapp.services.outbox
        try:
            client = await self.pickapp.client()
            if outbox is None:
                raise StateError(_("The local store is not available: nothing was sent"))
            entry = await self.pickapp.store.call(outbox.get, entry_id)
            if entry is not None and entry.status == "uncertain":
                question = _(
                    "#{id} for order {order} ({what}) may have been sent already. {now} Send it again?"
                ).format(
                    id=entry_id,
                    order=entry.order_id,
                    what=entry.summary,
                    now=await self._order_now(client, entry.order_id),
                )
                if not await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Send again"), no=_("Keep"))):
                    return
            if entry is not None and (entry.status in ("failed", "uncertain") or entry.target is None):
                await self.pickapp.store.call(outbox.retry, entry_id, Target.of(client), writes=True)
            # On a thread of its own: its SQLite calls never hold up the screen (see pickterm.offloop).
            outcome = await off_loop(client, lambda client: outbox.send(entry_id, client))
        except Exception as exc:
            self.error_panel.show_error(exc, _("The write is kept; r tries again."))
            self.load()
            return
        if outcome.blocked_by is not None:
            self.notify(
                _("#{id} waits behind #{other} ({state}) for the same order.").format(
                    id=entry_id, other=outcome.blocked_by.id, state=outcome.blocked_by.state
                ),
                severity="warning",
                markup=False,
            )
        elif outcome.skipped:
            self.notify(
                _("#{id} is being sent right now; try again in a moment.").format(id=entry_id),
                severity="warning",
                markup=False,
            )
        elif outcome.state == "sent":
            self.error_panel.clear()
            self.notify(
                _("✔ #{id} sent: order {order} is marked delivered.").format(id=entry_id, order=outcome.entry.order_id),
                markup=False,
            )
        elif outcome.state == "pending":
            reason = _(outcome.error.sentence) if outcome.error is not None else _("not sent")
            self.notify(
                _("⟳ #{id} still pending ({reason}); it is retried in the background.").format(
                    id=entry_id, reason=reason
                ),
                severity="warning",
                markup=False,
            )
        elif outcome.state == "uncertain":
            self.notify(
                _("? #{id}: no answer came back; it may have been sent.").format(id=entry_id),
                severity="warning",
                markup=False,
            )
        else:
            self.app.bell()
            self.notify(
                _("✘ #{id} refused again: e edits it, d discards it.").format(id=entry_id),
                severity="error",
                markup=False,
            )
        self.load()

    def action_discard(self) -> None:
        entry = self._open()
        if entry is not None:
            self._discard(entry)

    @work(exclusive=True, group="discard", exit_on_error=False)
    async def _discard(self, entry: Any) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        question = _("Discard outbox entry #{id} for order {order} ({what})? It will never be sent.").format(
            id=entry.id, order=entry.order_id, what=entry.summary
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Discard"), no=_("Keep"))):
            return
        try:
            outbox = self.pickapp.services.outbox
            if outbox is None:
                raise StateError(_("The local store is not available: nothing was discarded"))
            await self.pickapp.store.call(outbox.discard, entry.id, writes=True)
        except Exception as exc:
            self.error_panel.show_error(exc, _("Nothing was discarded."))
        else:
            self.notify(_("#{id} discarded.").format(id=entry.id), markup=False)
        self.load()

"""The tracking form: mark an order delivered (``PATCH /orders/{orderId}/tracking``).

A delivered date and any number of tracking events, each field checked as it is
typed, and a preview of exactly what is sent. ctrl+s sends through the outbox: the
write is stored first, so nothing typed is lost when the network is down.

Never overwrite by accident: the delivered field shows what the server has (empty when
the order has no delivered date), and a body carries ``deliveredDate`` only when the
user changed it. Replacing an existing delivered date, a date more than
:data:`~pickterm.tracking_input.FAR_DAYS` days away from now, or a date for an order that
could not be read is asked first; so are events alone for an order that is not delivered
(or could not be read): the server finishes the order on any tracking write.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from pickterm.i18n import N_, _, ngettext
from pickterm.screens.form_base import FormScreen
from pickterm.screens.order import OrderScreen
from pickterm.store.state import StateError
from pickterm.stylesheets import css
from pickterm.tracking_input import EventProblem, event_from_values, far_days, finishes_order
from pickterm.widgets.common import literal, status_content
from pickterm.widgets.fields import FormField, Verdict
from pickterm.widgets.keys import bind
from pickterm.widgets.tracking_event import DATE_HINT, EventEditor, date_check, local_form, parse_date


def utc_now() -> datetime:
    return datetime.now(UTC)


class TrackingScreen(FormScreen):
    """Tracking form for one order; with ``entry_id`` it edits that outbox entry."""

    TITLE = N_("Tracking")
    HELP = N_(
        "Mark the order delivered and add tracking events. Dates: now, YYYY-MM-DD HH:MM in local "
        "time, or ISO 8601; they are sent in UTC. The preview shows exactly what is sent. "
        "Tab/shift+Tab or up/down move between fields; PgUp/PgDn scroll."
    )
    CSS_PATH = [css("fields"), css("tracking")]
    BINDINGS = [
        bind("tracking.send", "send", priority=True),
        bind("tracking.add_event", "add_event", priority=True),
        bind("tracking.delete_event", "delete_event", priority=True, show=False),
    ]
    LEAVE_QUESTION = N_("The tracking form has changes that were not sent. Leave and drop them?")
    # Where "now" comes from (tests freeze it).
    clock: ClassVar[Callable[[], datetime]] = staticmethod(utc_now)

    def __init__(self, order_id: str, entry_id: int | None = None) -> None:
        super().__init__(subtitle=_("order {id}").format(id=order_id))
        self.order_id = order_id
        self.entry_id = entry_id
        self.order: Any = None
        self._order_read = asyncio.Event()  # set once the order was fetched (or could not be)
        # The delivered field's text when the form was filled: unchanged means not sent.
        self._delivered_shown: str | None = None
        self._initial: Any = None
        self._event_serial = 0
        self._sending = False
        self._preview_now: datetime | None = None  # the "now" of the preview shown, the one sent

    # ------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body", can_focus=False):
            yield Static(literal(_("Order {id}").format(id=self.order_id), multiline=False), id="tracking-order")
            yield FormField(
                _("Delivered"), name="delivered", placeholder=DATE_HINT, check=self._check_delivered, id="delivered"
            )
            yield Static("", id="events-title")
            yield Vertical(id="events")
            yield Static(Content.styled(_("Preview: what ctrl+s sends"), "bold"), id="preview-title")
            yield Static("", id="preview", markup=False)

    def _now(self) -> datetime:
        return type(self).clock()

    def _check_delivered(self, value: str) -> Verdict:
        if not value.strip() and self.server_delivered is None:  # the server finishes the order on any write
            return Verdict(True, _("empty: the server sets it to now"))
        verdict = date_check(self._now, optional=True)(value)
        if verdict.ok and value.strip() and not self._delivered_changed(value.strip()):
            return Verdict(True, _("{check} · the server has it: not sent").format(check=verdict.message))
        return verdict

    async def on_mount(self) -> None:
        await self._load_entry_or_prefill()
        self._settle()
        self._load_order()

    async def _load_entry_or_prefill(self) -> None:
        delivered = self.query_one("#delivered", FormField)
        if self.entry_id is None:  # the server's delivered date is filled in once the order is read
            self._renumber()
            return
        await self.pickapp.ready()
        try:
            outbox = self.pickapp.services.outbox
            entry = await self.pickapp.store.call(outbox.get, self.entry_id) if outbox else None
        except Exception:  # said in the header; the form starts a new write
            entry = None
        if entry is None:
            self.error_panel.show_message(
                _("✘ There is no outbox entry #{id}: a new write is started.").format(id=self.entry_id)
            )
            self.entry_id = None
            self._renumber()
            return
        self.order_id = entry.order_id
        self.set_subtitle(_("order {id} · outbox #{entry}").format(id=entry.order_id, entry=entry.id))
        update = entry.update
        delivered.value = local_form(update.delivered_date, exact=True) if update.delivered_date else ""
        for event in update.events:
            await self._mount_event(
                {
                    "city": event.city,
                    "state": event.state,
                    "description": event.description,
                    "date": local_form(event.date, exact=True),
                }
            )
        if entry.error is not None:
            self.error_panel.show_error(entry.error, _("Edit what was refused and press ctrl+s to send it again."))
        self._renumber()

    def _settle(self) -> None:
        """After the first fill: remember it (to know about unsent changes), focus, preview."""
        self._initial = self._form_values()
        self._update_preview()
        self.query_one("#delivered", FormField).focus_input()

    @work(group="order", exit_on_error=False)
    async def _load_order(self) -> None:
        """Fetch the order to show its state and to warn when it is not invoiced."""
        line = self.query_one("#tracking-order", Static)
        try:
            client = await self.pickapp.client()
            self.order = await client.get_order(self.order_id)
        except Exception as exc:  # the form still works: the write goes to the outbox
            line.update(
                Content.assemble(
                    literal(_("Order {id}").format(id=self.order_id) + " · ", multiline=False),
                    Content.styled(_("state unknown"), "dim"),
                    literal(f" ({exc})", multiline=False),
                )
            )
            return
        finally:
            self._order_read.set()
        self._show_order()
        self._prefill_delivered()
        self.query_one("#delivered", FormField).validate()  # its message depends on the order

    def _prefill_delivered(self) -> None:
        """Show the server's delivered date in an untouched new form (and remember it as unchanged)."""
        delivered = self.query_one("#delivered", FormField)
        server = self.server_delivered
        if self.entry_id is not None or server is None or delivered.value.strip():
            return
        self._delivered_shown = local_form(server)
        delivered.value = self._delivered_shown
        if delivered.input.has_focus:  # focused before the order came: typing replaces the date, never appends
            delivered.input.select_all()
        if self._initial is not None:  # what the server has is no unsent change
            self._initial = (self._delivered_shown.strip(), self._initial[1])
        self._update_preview()

    @property
    def server_delivered(self) -> datetime | None:
        """The order's delivered date on the server (None when it has none or is not read)."""
        from pickterm.api.models import parse_api_datetime

        return None if self.order is None else parse_api_datetime(self.order.delivered_date)

    def _delivered_changed(self, text: str) -> bool:
        """Whether the typed delivered date differs from what the server has."""
        if not text:
            return False
        if self._delivered_shown is not None and text == self._delivered_shown.strip():
            return False
        server = self.server_delivered
        if server is None:
            return True
        try:
            typed = parse_date(text, self._now)
        except ValueError:
            return True
        return typed not in (server, server.replace(microsecond=0))

    def _show_order(self) -> None:
        order = self.order
        parts: list[Content | str] = [
            literal(_("Order {id}").format(id=order.order_id) + " · ", multiline=False),
            status_content(order.status),
        ]
        if order.is_invoiced:
            parts.append(" · " + _("invoiced"))
        else:
            parts += [" · ", Content.styled(_("⚠ not invoiced: the server will refuse it"), "bold $warning")]
        if order.delivered_date:
            from pickterm.api.models import format_api_datetime

            delivered = _("delivered {date}").format(date=format_api_datetime(order.delivered_date))
            parts.append(literal(" · " + delivered, multiline=False))
        self.query_one("#tracking-order", Static).update(Content.assemble(*parts))

    # ------------------------------------------------------------ events

    async def _mount_event(self, values: dict[str, str] | None = None) -> EventEditor:
        self._event_serial += 1
        editor = EventEditor(self._now, values, id=f"event-{self._event_serial}")
        await self.query_one("#events", Vertical).mount(editor)
        return editor

    def _editors(self) -> list[EventEditor]:
        return list(self.query(EventEditor))

    def _renumber(self) -> None:
        editors = self._editors()
        for number, editor in enumerate(editors, 1):
            if editor.is_mounted:
                editor.set_number(number, len(editors))
        count = len(editors)
        title = Content.assemble(Content.styled(_("Events ({n})").format(n=count), "bold"), "  " + _("ctrl+n adds one"))
        self.query_one("#events-title", Static).update(title)

    async def action_add_event(self) -> None:
        editor = await self._mount_event({"date": local_form(self._now().replace(second=0, microsecond=0))})
        self._renumber()
        self._update_preview()
        editor.query_one(".event-city", FormField).focus_input()

    async def action_delete_event(self) -> None:
        focused = self.focused
        editor = next(
            (node for node in (focused.ancestors_with_self if focused else []) if isinstance(node, EventEditor)), None
        )
        if editor is None:
            self.notify(_("Move to an event (Tab) to delete it."), severity="warning", markup=False)
            return
        editors = self._editors()
        index = editors.index(editor)
        await editor.remove()
        rest = self._editors()
        self._renumber()
        self._update_preview()
        if rest:
            rest[min(index, len(rest) - 1)].query_one(".event-city", FormField).focus_input()
        else:
            self.query_one("#delivered", FormField).focus_input()
        self.notify(_("Event {n} deleted.").format(n=index + 1), markup=False)

    # ------------------------------------------------------------ values and preview

    def _form_values(self) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
        delivered = self.query_one("#delivered", FormField).value
        events = tuple(tuple(sorted(editor.values().items())) for editor in self._editors())
        return delivered.strip(), events

    @property
    def has_unsent_changes(self) -> bool:
        """Typed and not sent (while it is being sent, it is not dropped by leaving)."""
        return not self._sending and self._initial is not None and self._form_values() != self._initial

    def build_update(self, *, recheck: bool = True, now: datetime | None = None) -> Any:
        """The TrackingUpdate of what is typed (FormProblem listing the fields to fix).

        ``recheck=False`` trusts each field's last check (made as it was typed); a value that
        changed since (keys typed fast) is checked again, so this never raises anything but
        FormProblem. ``now`` is the instant "now" stands for (default: the clock)."""
        problems = self.invalid_fields(recheck=recheck)
        if problems:
            raise FormProblem(problems)
        try:
            return self._update_of(self._now() if now is None else now)
        except FormProblem as problem:  # a field changed after its last check: check them all again
            raise FormProblem(self.invalid_fields(recheck=True) or problem.fields) from None

    def _update_of(self, now: datetime) -> Any:
        from pickterm.api.models import TrackingUpdate

        events = []
        for editor in self._editors():
            try:
                events.append(event_from_values(editor.values(), now=now))
            except EventProblem as problem:
                raise FormProblem([editor.field(problem.field)]) from None
        delivered = self.query_one("#delivered", FormField)
        when = delivered.value.strip()
        try:
            date = parse_date(when, lambda: now) if self._delivered_changed(when) else None
        except ValueError:
            raise FormProblem([delivered]) from None
        return TrackingUpdate(delivered_date=date, events=events)

    def _update_preview(self) -> None:
        """Show the body ctrl+s sends; "now" is frozen here, so what is sent is what was shown."""
        preview = self.query_one("#preview", Static)
        self._preview_now = self._now()
        try:
            payload = self.build_update(recheck=False, now=self._preview_now).to_payload()
        except FormProblem as problem:
            preview.update(
                ngettext("(fix {n} field marked ✘ first)", "(fix {n} fields marked ✘ first)", problem.count).format(
                    n=problem.count
                )
            )
            preview.add_class("-invalid")
            return
        preview.remove_class("-invalid")
        if not payload:
            preview.update(f"({self._nothing_to_send()})")
            return
        preview.update(literal(json.dumps(payload, indent=2, ensure_ascii=False)))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._initial is not None:
            self._update_preview()

    # ------------------------------------------------------------ sending

    def action_send(self) -> None:
        if not self._sending:
            self._send()

    @work(group="send", exclusive=True, exit_on_error=False)
    async def _send(self) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        try:
            update = self.build_update(now=self._preview_now)
        except FormProblem as problem:
            problem.fields[0].focus_input()
            self.app.bell()
            text = ngettext("Not sent: {n} field to fix.", "Not sent: {n} fields to fix.", problem.count).format(
                n=problem.count
            )
            self.notify(text, severity="error", markup=False)
            return
        if not update.to_payload():
            self.app.bell()
            self.notify(self._nothing_to_send(), severity="error", markup=False)
            return
        if not await self._confirm_delivered(update):
            return
        if self.order is not None and not self.order.is_invoiced:
            question = _(
                "Order {id} is not invoiced: the server will refuse to mark it delivered (ORA0001B). Send anyway?"
            ).format(id=self.order_id)
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes=_("Send anyway"), no=_("Cancel"))):
                return
        self._sending = True
        self.query_one("#body").loading = True
        try:
            await self._deliver(update)
        finally:
            self._sending = False
            self.query_one("#body").loading = False

    def _nothing_to_send(self) -> str:
        if self.server_delivered is not None and self.query_one("#delivered", FormField).value.strip():
            return _("Nothing to send: the delivered date is what the server has; change it or add an event.")
        return _("Nothing to send: give a delivered date and/or an event.")

    async def _confirm_delivered(self, update: Any) -> bool:
        """Ask before a delivered date replaces the server's, is far from now, or may replace
        a date the form could not read, and before events alone finish an order that is not
        delivered. True when the write may go."""
        from pickterm.screens.confirm import ConfirmScreen

        if not self._order_read.is_set():  # ctrl+s before the order arrived: wait for it
            self.query_one("#body").loading = True
            try:
                await self._order_read.wait()
            finally:
                self.query_one("#body").loading = False
        new = update.delivered_date
        questions = [] if new is None else self._delivered_questions(new)
        if finishes_order(update, self.server_delivered):
            finished = status_content("COMPLETED").plain
            if self.order is None:
                question = _(
                    "Order {id} could not be read. If it is not delivered, the server finishes it on any "
                    "tracking write: these events alone mark it delivered now and {finished}. Send them?"
                ).format(id=self.order_id, finished=finished)
            else:
                question = _(
                    "Order {id} is not delivered ({status}). The server finishes an order on any tracking "
                    "write: these events alone mark it delivered now and {finished}. Send them?"
                ).format(id=self.order_id, status=status_content(self.order.status).plain, finished=finished)
            questions.append((question, _("Send and finish"), _("Cancel")))
        for question, yes, no in questions:
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes=yes, no=no)):
                self.query_one("#delivered", FormField).focus_input()
                return False
        return True

    def _delivered_questions(self, new: datetime) -> list[tuple[str, str, str]]:
        """The questions (question, yes, no) a delivered date is asked about before it is sent."""
        new_text = local_form(new) + (f" ({new:%Y-%m-%d %H:%M} UTC)" if new.astimezone().utcoffset() else "")
        questions = []
        old = self.server_delivered
        if old is not None:
            questions.append(
                (
                    _("Order {id} is already delivered on {old}. Change its delivered date to {new}?").format(
                        id=self.order_id, old=local_form(old), new=new_text
                    ),
                    _("Change it"),
                    _("Keep the old"),
                )
            )
        elif self.order is None:
            questions.append(
                (
                    _(
                        "Order {id} could not be read, so its delivered date is unknown: "
                        "sending {new} may replace one. Send it?"
                    ).format(id=self.order_id, new=new_text),
                    _("Send"),
                    _("Cancel"),
                )
            )
        days = far_days(new, self._now())
        if days is not None:
            if new < self._now():
                far = _("The delivered date {date} is {n} days ago. Is that right?")
            else:
                far = _("The delivered date {date} is {n} days from now. Is that right?")
            questions.append((far.format(date=new_text, n=days), _("Yes, send it"), _("No, fix it")))
        return questions

    async def _deliver(self, update: Any) -> None:
        from pickterm.offloop import off_loop

        outbox = self.pickapp.services.outbox
        entry_id, order_id = self.entry_id, self.order_id

        async def store_and_send(client: Any) -> Any:  # on a thread: SQLite never holds up the screen
            assert outbox is not None  # checked before this runs
            if entry_id is not None:
                outbox.update_payload(entry_id, update)
                return await outbox.send(entry_id, client)
            return await outbox.submit(client, order_id, update)

        try:
            client = await self.pickapp.client()  # raises what start-up failed with
            if outbox is None:
                raise LocalStoreMissing(self.pickapp.store.error)
            outcome = await off_loop(client, store_and_send)
        except Exception as exc:  # a missing key, a broken store, a bad order id, an entry being sent
            if isinstance(exc, StateError) and not isinstance(exc, LocalStoreMissing):
                self.pickapp.store.failed(exc)  # the header says so too
            self.error_panel.show_error(exc, _("The form is still filled in; fix the problem and press ctrl+s."))
            return
        finally:
            await self.pickapp.store.count_outbox()
        self.entry_id = outcome.entry.id
        self._initial = self._form_values()
        if outcome.state == "sent":
            if outcome.recorded:
                self.notify(self._sent_sentence(update, outcome.result), title=_("Tracking"), markup=False)
            else:
                self.notify(
                    _(
                        "✔ Accepted by the server: order {id} is marked delivered. This terminal "
                        'could not record that, so the outbox lists it as "may have been sent": '
                        "do not send it again."
                    ).format(id=self.order_id),
                    title=_("Tracking"),
                    severity="warning",
                    markup=False,
                )
            self._show_order_after_send()
        elif outcome.state == "pending":
            pending = self.pickapp.outbox_counts[0]
            self.pickapp.store.start_retries()
            if outcome.blocked_by is not None:
                self.notify(
                    _(
                        "⟳ Queued behind outbox #{entry}, an older write for this order: "
                        "it leaves after that one, never before."
                    ).format(entry=outcome.blocked_by.id),
                    title=_("Tracking"),
                    severity="warning",
                    markup=False,
                )
            else:
                reason = f" ({_(outcome.error.sentence)})" if outcome.error is not None else ""
                self.notify(
                    ngettext(
                        "⟳ Not reached the server{reason}: queued, {n} pending. It is sent as soon as the server answers.",
                        "⟳ Not reached the server{reason}: queued, {n} pending. It is sent as soon as the server answers.",
                        pending,
                    ).format(reason=reason, n=pending),
                    title=_("Tracking"),
                    severity="warning",
                    markup=False,
                )
            self.leaving = True
            self.dismiss()
        elif outcome.state == "uncertain":
            self.set_subtitle(_("order {id} · outbox #{entry}").format(id=self.order_id, entry=outcome.entry.id))
            self.app.bell()
            self.error_panel.show_message(
                _(
                    "? No answer came back: the write may have been sent. It is never sent again on its own; "
                    "the outbox (ctrl+p, Outbox) shows the order as it is now and lets you resend or discard it."
                )
            )
        else:
            self.set_subtitle(_("order {id} · outbox #{entry}").format(id=self.order_id, entry=outcome.entry.id))
            self.app.bell()
            self.error_panel.show_error(
                outcome.error or RuntimeError("refused"),
                _("Kept in the outbox as failed; ctrl+s sends it again."),
            )

    def _sent_sentence(self, update: Any, result: Any) -> str:
        """What an accepted write did, read from the server's answer: events alone can finish the order."""
        if update.delivered_date is not None:
            return _("✔ Sent: order {id} is marked delivered.").format(id=self.order_id)
        from pickterm.api.models import format_api_datetime, parse_api_datetime

        answered = parse_api_datetime(getattr(result, "delivered_date", None))
        if answered is not None and answered != self.server_delivered:
            return _(
                "✔ Sent: the events are recorded, and the server marked order {id} delivered on {date}: it is finished."
            ).format(id=self.order_id, date=format_api_datetime(result.delivered_date))
        return _("✔ Sent: the events of order {id} are recorded.").format(id=self.order_id)

    def _show_order_after_send(self) -> None:
        """Leave the form and show the order with its new state."""
        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        self.leaving = True
        self.dismiss()
        if isinstance(below, OrderScreen) and below.order_id == self.order_id:
            below.reload(fresh=True)
        else:
            self.app.call_later(self.pickapp.open, "order", self.order_id)


class LocalStoreMissing(StateError):
    """No local store, so a write cannot be kept (and is not sent: the outbox keeps every write)."""

    def __init__(self, reason: BaseException | None) -> None:
        why = f" ({reason})" if reason is not None else ""
        super().__init__(
            _("The local store is not available{why}, so the write cannot be kept; nothing was sent").format(why=why)
        )


class FormProblem(ValueError):
    """Fields whose values are not valid (the first one gets the focus)."""

    def __init__(self, fields: list[FormField]) -> None:
        super().__init__(f"{len(fields)} field(s) to fix")
        self.fields = fields

    @property
    def count(self) -> int:
        return len(self.fields)

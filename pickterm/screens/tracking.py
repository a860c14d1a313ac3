"""The tracking form: mark an order delivered (``PATCH /orders/{orderId}/tracking``).

A delivered date and any number of tracking events, each field checked as it is
typed, and a preview of exactly what is sent. ctrl+s sends through the outbox: the
write is stored first, so nothing typed is lost when the network is down.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from pickterm.app import css
from pickterm.screens.base import BaseScreen
from pickterm.widgets.common import literal, status_content
from pickterm.widgets.fields import FormField, ask_to_leave
from pickterm.widgets.tracking_event import DATE_HINT, EventEditor, date_check, local_form, parse_date


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TrackingScreen(BaseScreen):
    """Tracking form for one order; with ``entry_id`` it edits that outbox entry."""

    TITLE = "Tracking"
    HELP = ("Mark the order delivered and add tracking events. Dates: now, YYYY-MM-DD HH:MM in local "
            "time, or ISO 8601; they are sent in UTC. The preview shows exactly what is sent. "
            "Tab/shift+Tab or up/down move between fields; PgUp/PgDn scroll.")
    CSS_PATH = [css("fields"), css("tracking")]
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding("ctrl+n", "add_event", "New event", priority=True),
        Binding("ctrl+d", "delete_event", "Delete event", priority=True, show=False),
        Binding("down", "app.focus_next", "Next field", show=False, priority=True),
        Binding("up", "app.focus_previous", "Previous field", show=False, priority=True),
    ]
    # Where "now" comes from (tests freeze it).
    clock: ClassVar[Callable[[], datetime]] = staticmethod(utc_now)

    def __init__(self, order_id: str, entry_id: int | None = None) -> None:
        super().__init__(subtitle=f"order {order_id}")
        self.order_id = order_id
        self.entry_id = entry_id
        self.order: Any = None
        self._initial: Any = None
        self._event_serial = 0
        self._sending = False
        self.leaving = False

    # ------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body", can_focus=False):
            yield Static(literal(f"Order {self.order_id}", multiline=False), id="tracking-order")
            yield FormField("Delivered", name="delivered", placeholder=DATE_HINT,
                            check=date_check(self._now, optional=True), id="delivered")
            yield Static("", id="events-title")
            yield Vertical(id="events")
            yield Static(Content.styled("Preview: what ctrl+s sends", "bold"), id="preview-title")
            yield Static("", id="preview", markup=False)

    def _now(self) -> datetime:
        return type(self).clock()

    async def on_mount(self) -> None:
        await self._load_entry_or_prefill()
        self._settle()
        self._load_order()

    async def _load_entry_or_prefill(self) -> None:
        delivered = self.query_one("#delivered", FormField)
        if self.entry_id is None:
            delivered.value = local_form(self._now().replace(second=0, microsecond=0))
            self._renumber()
            return
        await self.app.ready()
        entry = self.app.outbox.get(self.entry_id) if self.app.outbox is not None else None
        if entry is None:
            self.error_panel.show_message(f"✘ There is no outbox entry #{self.entry_id}: a new write is started.")
            self.entry_id = None
            self._renumber()
            return
        self.order_id = entry.order_id
        self.set_subtitle(f"order {entry.order_id} · outbox #{entry.id}")
        update = entry.update
        delivered.value = local_form(update.delivered_date) if update.delivered_date else ""
        for event in update.events:
            await self._mount_event({"city": event.city, "state": event.state,
                                     "description": event.description, "date": local_form(event.date)})
        if entry.error is not None:
            self.error_panel.show_error(entry.error, "Edit what was refused and press ctrl+s to send it again.")
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
            client = await self.app.client()
            self.order = await client.get_order(self.order_id)
        except Exception as exc:  # the form still works: the write goes to the outbox
            line.update(Content.assemble(literal(f"Order {self.order_id} · ", multiline=False), Content.styled("state unknown", "dim"),
                                         literal(f" ({exc})", multiline=False)))
            return
        self._show_order()

    def _show_order(self) -> None:
        order = self.order
        parts: list[Content | str] = [literal(f"Order {order.order_id} · ", multiline=False), status_content(order.status)]
        if order.is_invoiced:
            parts.append(" · invoiced")
        else:
            parts += [" · ", Content.styled("⚠ not invoiced: the server will refuse it", "bold $warning")]
        if order.delivered_date:
            from pickterm.api.models import format_api_datetime

            parts.append(literal(f" · delivered {format_api_datetime(order.delivered_date)}", multiline=False))
        self.query_one("#tracking-order", Static).update(Content.assemble(*parts))

    def on_resize(self) -> None:
        self.set_class(self.size.width < 60, "-narrow")

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
        title = Content.assemble(Content.styled(f"Events ({count})", "bold"), "  ctrl+n adds one")
        self.query_one("#events-title", Static).update(title)

    async def action_add_event(self) -> None:
        editor = await self._mount_event({"date": local_form(self._now().replace(second=0, microsecond=0))})
        self._renumber()
        self._update_preview()
        editor.query_one(".event-city", FormField).focus_input()

    async def action_delete_event(self) -> None:
        focused = self.focused
        editor = next((node for node in (focused.ancestors_with_self if focused else [])
                       if isinstance(node, EventEditor)), None)
        if editor is None:
            self.notify("Move to an event (Tab) to delete it.", severity="warning", markup=False)
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
        self.notify(f"Event {index + 1} deleted.", markup=False)

    # ------------------------------------------------------------ values and preview

    def _form_values(self) -> tuple[str, tuple[tuple[tuple[str, str], ...], ...]]:
        delivered = self.query_one("#delivered", FormField).value
        events = tuple(tuple(sorted(editor.values().items())) for editor in self._editors())
        return delivered.strip(), events

    @property
    def has_unsent_changes(self) -> bool:
        return self._initial is not None and self._form_values() != self._initial

    def build_update(self, *, recheck: bool = True) -> Any:
        """The TrackingUpdate of what is typed (FormProblem listing the fields to fix).

        ``recheck=False`` trusts each field's last check (made as it was typed)."""
        from pickterm.api.models import TrackingEvent, TrackingUpdate

        delivered = self.query_one("#delivered", FormField)
        fields = [delivered] + [field for editor in self._editors() for field in editor.fields()]
        problems = [field for field in fields if not (field.validate().ok if recheck else field.ok)]
        if problems:
            raise FormProblem(problems)
        events = []
        for editor in self._editors():
            values = editor.values()
            events.append(TrackingEvent(city=values["city"].strip(), state=values["state"].strip(),
                                        description=values["description"].strip(),
                                        date=parse_date(values["date"], self._now)))
        when = delivered.value.strip()
        return TrackingUpdate(delivered_date=parse_date(when, self._now) if when else None, events=events)

    def _update_preview(self) -> None:
        preview = self.query_one("#preview", Static)
        try:
            payload = self.build_update(recheck=False).to_payload()
        except FormProblem as problem:
            preview.update(f"(fix {problem.count} field{'s' if problem.count != 1 else ''} marked ✘ first)")
            preview.add_class("-invalid")
            return
        preview.remove_class("-invalid")
        if not payload:
            preview.update("(nothing to send: give a delivered date and/or an event)")
            return
        preview.update(literal(json.dumps(payload, indent=2, ensure_ascii=False)))

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._initial is not None:
            self._update_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field moves on, as Tab does (a scanner's Enter never sends)."""
        event.stop()
        self.focus_next()

    # ------------------------------------------------------------ sending

    def action_send(self) -> None:
        if not self._sending:
            self._send()

    @work(group="send", exclusive=True, exit_on_error=False)
    async def _send(self) -> None:
        from pickterm.screens.confirm import ConfirmScreen

        try:
            update = self.build_update()
        except FormProblem as problem:
            problem.fields[0].focus_input()
            self.app.bell()
            self.notify(f"Not sent: {problem.count} field{'s' if problem.count != 1 else ''} to fix.",
                        severity="error", markup=False)
            return
        if not update.to_payload():
            self.app.bell()
            self.notify("Nothing to send: give a delivered date and/or an event.",
                        severity="error", markup=False)
            return
        if self.order is not None and not self.order.is_invoiced:
            question = (f"Order {self.order_id} is not invoiced: the server will refuse to mark it "
                        "delivered (ORA0001B). Send anyway?")
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Send anyway", no="Cancel")):
                return
        self._sending = True
        self.query_one("#body").loading = True
        try:
            await self._deliver(update)
        finally:
            self._sending = False
            self.query_one("#body").loading = False

    async def _deliver(self, update: Any) -> None:
        outbox = self.app.outbox
        try:
            client = await self.app.client()  # raises what start-up failed with
            if outbox is None:
                raise RuntimeError("the local store is not available, so the write cannot be kept")
            if self.entry_id is not None:
                outbox.update_payload(self.entry_id, update)
                outcome = await outbox.send(self.entry_id, client)
            else:
                outcome = await outbox.submit(client, self.order_id, update)
        except Exception as exc:  # a missing key, a broken store, an entry being sent right now
            self.error_panel.show_error(exc, "The form is still filled in; fix the problem and press ctrl+s.")
            return
        finally:
            self.app.refresh_outbox_counts()
        self.entry_id = outcome.entry.id
        if outcome.state == "sent":
            self._initial = self._form_values()
            self.notify(f"✔ Sent: order {self.order_id} is marked delivered.", title="Tracking", markup=False)
            self._show_order_after_send()
        elif outcome.state == "pending":
            self._initial = self._form_values()
            pending = self.app.outbox_counts[0]
            self.app.start_outbox_retries()
            reason = f" ({outcome.error.sentence})" if outcome.error is not None else ""
            self.notify(f"⟳ Not reached the server{reason}: queued, {pending} pending. "
                        "It is sent as soon as the server answers.",
                        title="Tracking", severity="warning", markup=False)
            self.leaving = True
            self.dismiss()
        else:
            self._initial = self._form_values()
            self.set_subtitle(f"order {self.order_id} · outbox #{outcome.entry.id}")
            self.app.bell()
            self.error_panel.show_error(
                outcome.error or RuntimeError("refused"),
                "Kept in the outbox as failed; ctrl+s sends it again.",
            )

    def _show_order_after_send(self) -> None:
        """Leave the form and show the order with its new state."""
        stack = self.app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        self.leaving = True
        self.dismiss()
        if type(below).__name__ == "OrderScreen" and getattr(below, "order_id", None) == self.order_id \
                and hasattr(below, "reload"):
            below.reload(fresh=True)
        else:
            self.app.call_later(self.app.open_order, self.order_id)

    # ------------------------------------------------------------ leaving

    async def confirm_leave(self) -> bool:
        """Ask before dropping what was typed and not sent."""
        if self.leaving or self._sending or not self.has_unsent_changes:
            return True
        return await ask_to_leave(self, "The tracking form has changes that were not sent. Leave and drop them?")


class FormProblem(ValueError):
    """Fields whose values are not valid (the first one gets the focus)."""

    def __init__(self, fields: list[FormField]) -> None:
        super().__init__(f"{len(fields)} field(s) to fix")
        self.fields = fields

    @property
    def count(self) -> int:
        return len(self.fields)

"""Tracking input as a person types it: a delivered date and tracking events. No Textual here.

One parser for the command line (``pickterm track --delivered/--event``) and the
tracking form, so the same input gets the same answer and the same sentence in both:

- a text field (city, state, description) is required and holds no control characters
  (:func:`text_problem`);
- a date is read by :func:`pickterm.store.dates.parse_user_datetime` (``now``,
  ``YYYY-MM-DD HH:MM`` in local time, or ISO 8601), which says what is wrong;
- :func:`event_from_values` turns the four values into a ``TrackingEvent`` or raises
  :class:`EventProblem` naming the first field to fix.

The command line adds where the value came from (``--event '...': ``, ``--delivered: ``);
the form shows the sentence under the field. A blank delivered date in the form means
"no delivered date" (the field is optional there); ``--delivered ""`` is refused, since
giving the option says a date is meant.

Both follow the same rules before a write leaves (the form asks, the command line wants a
flag): a delivered date more than :data:`FAR_DAYS` days from now (:func:`far_days`), and
events alone for an order that is not delivered, which the server then finishes
(:func:`finishes_order`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from pickterm.i18n import N_, _
from pickterm.store.dates import parse_user_datetime
from pickterm.text import has_control

if TYPE_CHECKING:
    from pickterm.api.models import TrackingEvent, TrackingUpdate

__all__ = [
    "EVENT_FIELDS",
    "EVENT_FORM",
    "FAR_DAYS",
    "EventProblem",
    "build_update",
    "event_from_values",
    "far_days",
    "finishes_order",
    "parse_event",
    "text_problem",
]

EVENT_FORM = "CITY|STATE|DESCRIPTION|DATE"
# The fields of one event, with the label a person reads, in the order they are typed.
EVENT_FIELDS = (("city", N_("City")), ("state", N_("State")), ("description", N_("Description")), ("date", N_("Date")))
_LABELS = dict(EVENT_FIELDS)
FAR_DAYS = 30  # a delivered date further than this from now is asked about (form) or needs --far-date (track)


class EventProblem(ValueError):
    """A value of a tracking event that cannot be sent: ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def text_problem(label: str, value: str) -> str | None:
    """What is wrong with a typed city, state or description (None when it can be sent)."""
    text = value.strip()
    if not text:
        return _("{field} is required").format(field=_(label))
    if has_control(text):
        return _("{field} holds control characters (escapes, line breaks, bidi marks)").format(field=_(label))
    return None


def event_from_values(values: Mapping[str, str], *, now: datetime | None = None) -> TrackingEvent:
    """The ``TrackingEvent`` of typed values (keys of :data:`EVENT_FIELDS`); EventProblem for the first bad one."""
    from pickterm.api.models import TrackingEvent

    clean: dict[str, str] = {}
    for key, label in EVENT_FIELDS[:3]:
        problem = text_problem(label, values.get(key, ""))
        if problem is not None:
            raise EventProblem(key, problem)
        clean[key] = values[key].strip()
    try:
        when = parse_user_datetime(values.get("date", ""), now=now)
    except ValueError as exc:
        raise EventProblem("date", str(exc)) from None
    return TrackingEvent(date=when, **clean)


def parse_event(text: str, *, now: datetime | None = None) -> TrackingEvent:
    """One ``CITY|STATE|DESCRIPTION|DATE`` argument (a ``|`` inside the description is kept)."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) < 4:
        raise ValueError(
            _("--event {text}: expected {form} (4 parts separated by |), got {n}").format(
                text=repr(text), form=EVENT_FORM, n=len(parts)
            )
        )
    city, state, *description, date = parts
    values = {"city": city, "state": state, "description": "|".join(description), "date": date}
    try:
        return event_from_values(values, now=now)
    except EventProblem as exc:
        raise ValueError(f"--event {text!r}: {exc}") from None


def build_update(delivered: str | None, events: Iterable[str], *, now: datetime | None = None) -> TrackingUpdate:
    """The TrackingUpdate of ``pickterm track``'s options; ValueError (one sentence) on bad input."""
    from pickterm.api.models import TrackingUpdate

    events = list(events)
    if delivered is None and not events:
        raise ValueError(_("nothing to send: give --delivered and/or at least one --event"))
    delivered_date = None
    if delivered is not None:
        try:
            delivered_date = parse_user_datetime(delivered, now=now)
        except ValueError as exc:
            raise ValueError(f"--delivered: {exc}") from None
    return TrackingUpdate(delivered_date=delivered_date, events=[parse_event(e, now=now) for e in events])


def far_days(when: datetime, now: datetime) -> int | None:
    """How many whole days ``when`` is from ``now`` when that is more than :data:`FAR_DAYS` (else None)."""
    days = abs((when - now).total_seconds()) / 86400
    return int(days) if days > FAR_DAYS else None


def finishes_order(update: TrackingUpdate, server_delivered: datetime | None) -> bool:
    """Whether the write finishes an order the server has no delivered date for, without saying so.

    ``PATCH /orders/{orderId}/tracking`` finalizes the order: events alone, for an order that
    is not delivered, make the server set its delivered date (now) and complete it."""
    return update.delivered_date is None and bool(update.events) and server_delivered is None

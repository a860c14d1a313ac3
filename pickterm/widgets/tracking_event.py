"""One tracking event in the tracking form: city, state, description and date, each
checked as it is typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from pickterm.i18n import _
from pickterm.store.dates import parse_user_datetime
from pickterm.tracking_input import EVENT_FIELDS, text_problem
from pickterm.widgets.fields import Check, FormField, Verdict

Clock = Callable[[], datetime]

DATE_HINT = "now / YYYY-MM-DD HH:MM / ISO"  # not translated: "now" is the word the date field reads


def local_form(moment: datetime, *, exact: bool = False) -> str:
    """``2025-02-13 02:00`` in this machine's local time (seconds only when there are any).

    ``exact`` adds the milliseconds when there are any: read back, it is the same instant to
    the millisecond, as the API carries it (an outbox entry edited in the form)."""
    local = moment.astimezone()
    if exact and local.microsecond // 1000:
        return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    if local.second:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def date_check(clock: Clock, *, optional: bool) -> Check:
    """Parse a typed date-time; say what will be sent (UTC) or what is wrong."""

    def check(value: str) -> Verdict:
        if optional and not value.strip():
            return Verdict(True, _("empty: no delivered date is sent"))
        try:
            parsed = parse_user_datetime(value, now=clock())
        except ValueError as exc:
            return Verdict(False, str(exc))
        return Verdict(True, f"= {parsed:%Y-%m-%d %H:%M} UTC")

    return check


def text_check(label: str) -> Check:
    """A city, state or description: required, no control characters (the command line's rule)."""

    def check(value: str) -> Verdict:
        problem = text_problem(label, value)
        return Verdict(problem is None, problem or "")

    return check


def event_check(key: str, label: str, clock: Clock) -> Check:
    """The check of one field of an event."""
    return date_check(clock, optional=False) if key == "date" else text_check(label)


def parse_date(value: str, clock: Clock) -> datetime:
    """The typed date-time in UTC (ValueError with a sentence when it is not one)."""
    return parse_user_datetime(value, now=clock())


class EventEditor(Vertical):
    """Fields of one tracking event; ``values()`` gives what was typed."""

    FIELDS = EVENT_FIELDS

    def __init__(self, clock: Clock, values: dict[str, str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="event")
        self.clock = clock
        self._values = values or {}

    def compose(self) -> ComposeResult:
        yield Static("", classes="event-title")
        for key, label in self.FIELDS:
            yield FormField(
                _(label),
                name=key,
                value=self._values.get(key, ""),
                placeholder=DATE_HINT if key == "date" else "",
                check=event_check(key, label, self.clock),
                classes=f"event-{key}",
            )

    def set_number(self, number: int, total: int) -> None:
        self.query_one(".event-title", Static).update(
            Content.assemble(
                Content.styled(_("Event {n} of {total}").format(n=number, total=total), "bold"),
                "  " + _("ctrl+d deletes it"),
            )
        )

    def fields(self) -> list[FormField]:
        return list(self.query(FormField))

    def field(self, key: str) -> FormField:
        """The field of ``key`` (``city``, ``state``, ``description``, ``date``)."""
        return next(field for field in self.fields() if field.field_name == key)

    def values(self) -> dict[str, str]:
        return {field.field_name: field.value for field in self.fields()}

    def validate(self) -> bool:
        return all(field.validate().ok for field in self.fields())


__all__ = ["DATE_HINT", "EventEditor", "date_check", "event_check", "local_form", "parse_date", "text_check"]

"""One tracking-input parser: the command line (``track --event/--delivered``) and the tracking
form answer the same input with the same verdict and the same sentence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pickterm.store.dates import DATE_FORMS
from pickterm.tracking_input import EVENT_FIELDS, build_update, event_from_values, parse_event
from pickterm.widgets.tracking_event import date_check, event_check

NOW = datetime(2025, 2, 13, 12, 0, 30, tzinfo=UTC)
CONTROL = "holds control characters (escapes, line breaks, bidi marks)"

# city, state, description, date; the field that is wrong (None: all good) and what is said about it.
EVENTS = [
    ("Lima", "LIM", "Delivered", "now", None, None),
    ("  Lima ", "LIM", " Left at the door ", "2025-02-13T02:00:00Z", None, None),
    ("", "LIM", "Delivered", "now", "city", "City is required"),
    ("Lima", "  ", "Delivered", "now", "state", "State is required"),
    ("Lima", "LIM", "", "now", "description", "Description is required"),
    ("Lima\x1b[2J", "LIM", "Delivered", "now", "city", f"City {CONTROL}"),
    ("Lima", "LIM\x07", "Delivered", "now", "state", f"State {CONTROL}"),
    ("Lima", "LIM", "Out \u202efor delivery", "now", "description", f"Description {CONTROL}"),
    ("Lima", "LIM", "Delivered", "", "date", f"A date and time is required: use {DATE_FORMS}"),
    ("Lima", "LIM", "Delivered", "31/01/2025", "date", f"'31/01/2025' is not a date and time: use {DATE_FORMS}"),
    (
        "Lima",
        "LIM",
        "Delivered",
        "2025-02-30 10:00",
        "date",
        f"'2025-02-30 10:00' is not a valid date and time: use {DATE_FORMS}",
    ),
    (
        "Lima",
        "LIM",
        "Delivered",
        "2025-03-01T00:00Z",
        "date",
        "'2025-03-01T00:00Z' is in the future (2025-03-01 00:00 UTC); check the date",
    ),
]


def cli(values: dict[str, str]):
    """What ``pickterm track --event`` makes of the values: the event, or the message after the prefix."""
    text = "|".join(values[key] for key, _ in EVENT_FIELDS)
    try:
        return parse_event(text, now=NOW), None
    except ValueError as exc:
        prefix = f"--event {text!r}: "
        assert str(exc).startswith(prefix)
        return None, str(exc)[len(prefix) :]


def form(values: dict[str, str]):
    """What the tracking form's event fields say about the values: {field: message} of the refused ones."""
    verdicts = {key: event_check(key, label, lambda: NOW)(values[key]) for key, label in EVENT_FIELDS}
    return {key: verdict.message for key, verdict in verdicts.items() if not verdict.ok}


@pytest.mark.parametrize(("city", "state", "description", "date", "field", "message"), EVENTS)
def test_an_event_gets_the_same_answer_on_the_command_line_and_in_the_form(
    city, state, description, date, field, message
):
    values = {"city": city, "state": state, "description": description, "date": date}
    event, said = cli(values)
    refused = form(values)
    if field is None:
        assert said is None and refused == {}
        assert event == event_from_values(values, now=NOW)  # what the form sends
        assert (event.city, event.description) == (city.strip(), description.strip())
    else:
        assert event is None and said == message
        assert refused == {field: message}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("now", None),
        ("2025-02-13 02:00", None),
        ("tomorrow-ish", f"'tomorrow-ish' is not a date and time: use {DATE_FORMS}"),
        ("2025-02-30 10:00", f"'2025-02-30 10:00' is not a valid date and time: use {DATE_FORMS}"),
        ("2026-01-01 00:00", "'2026-01-01 00:00' is in the future (2026-01-01 00:00 UTC); check the date"),
    ],
)
def test_a_delivered_date_gets_the_same_answer_on_the_command_line_and_in_the_form(typed, message, utc):
    verdict = date_check(lambda: NOW, optional=True)(typed)
    try:
        update = build_update(typed, [], now=NOW)
    except ValueError as exc:
        assert str(exc) == f"--delivered: {message}"
        assert not verdict.ok and verdict.message == message
    else:
        assert message is None and verdict.ok
        assert verdict.message == f"= {update.delivered_date:%Y-%m-%d %H:%M} UTC"


def test_a_bar_inside_the_description_is_kept_on_the_command_line():
    event = parse_event("Lima|LIM|Out|for delivery|now", now=NOW)
    assert event.description == "Out|for delivery"


def test_too_few_parts_says_the_form_of_an_event():
    with pytest.raises(ValueError, match=r"expected CITY\|STATE\|DESCRIPTION\|DATE .*got 3"):
        parse_event("Lima|LIM|Delivered", now=NOW)

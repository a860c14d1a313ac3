"""The tracking form: checks as typed, preview, not-invoiced warning, accepted / refused /
queued writes through the outbox, editing a failed write, leaving with unsent changes."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, Static

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.widgets.fields import FormField
from pickterm.widgets.tracking_event import EventEditor

from apphelpers import (
    header_status,
    message,
    notifications,
    open_form,
    open_screen,
    preview,
    settle,
    static_text,
    type_into,
)

# Local time is UTC and "now" is 2025-02-11 12:30 UTC, so typed local times and the prefill are known.
pytestmark = pytest.mark.usefixtures("utc", "frozen_now")


def field(screen, selector: str) -> FormField:
    return screen.query_one(selector, FormField)


async def add_event(pilot, screen: TrackingScreen, city: str, state: str, description: str, date: str) -> EventEditor:
    await pilot.press("ctrl+n")
    await pilot.pause()
    editor = screen.query(EventEditor).last()
    assert pilot.app.focused is editor.query_one(".event-city", FormField).input
    for key, value in (("city", city), ("state", state), ("description", description), ("date", date)):
        await type_into(pilot, editor.query_one(f".event-{key}", FormField), value)
    return editor


async def test_now_in_local_time_is_previewed():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        delivered = field(screen, "#delivered")
        assert delivered.value == ""  # the order has no delivered date
        assert app.focused is delivered.input
        await type_into(pilot, delivered, "now")
        assert json.loads(preview(screen)) == {"deliveredDate": "2025-02-11T12:30:00.000Z"}
        # Empty means "not set": nothing to send without events.
        await type_into(pilot, delivered, "")
        assert "empty" in message(delivered)
        assert "nothing to send" in preview(screen).lower()


async def test_each_date_form_is_understood_and_converted_to_utc(time_zone):
    time_zone("America/Mexico_City")
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        delivered = field(screen, "#delivered")
        for typed, sent in (
            ("now", "2025-02-11T12:30:00.000Z"),
            ("2025-02-11 02:00", "2025-02-11T08:00:00.000Z"),  # local (UTC-6) to UTC
            ("2025-02-11T02:00:00Z", "2025-02-11T02:00:00.000Z"),
            ("2025-02-11T02:00:00+01:00", "2025-02-11T01:00:00.000Z"),
        ):
            await type_into(pilot, delivered, typed)
            assert delivered.ok, typed
            assert json.loads(preview(screen))["deliveredDate"] == sent


async def test_invalid_date_is_refused_as_typed_and_not_sent():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        delivered = field(screen, "#delivered")
        await type_into(pilot, delivered, "2025-02-30 10:00")
        assert not delivered.ok
        assert "'2025-02-30 10:00' is not a valid date and time" in message(delivered)
        assert "fix 1 field" in preview(screen)
        await type_into(pilot, delivered, "yesterday")
        assert "is not a date and time" in message(delivered)
        await type_into(pilot, delivered, "2025-03-20 10:00")
        assert "in the future" in message(delivered)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TrackingScreen)
        assert app.sandbox.tracking_writes == []
        assert app.outbox.list() == []
        assert app.focused is delivered.input
        assert "Not sent: 1 field to fix" in notifications(app)


async def test_event_fields_are_checked_and_keys_work_inside_fields():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await pilot.press("ctrl+n")  # from inside the delivered field
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        assert message(editor.query_one(".event-city", FormField)) == "✘ City is required"
        assert editor.query_one(".event-date", FormField).value == "2025-02-11 12:30"
        # Typing clears the message; Tab moves to the next field.
        await pilot.press(*"Bello")
        assert message(editor.query_one(".event-city", FormField)) == ""
        await pilot.press("tab")
        assert app.focused is editor.query_one(".event-state", FormField).input
        await pilot.press("down")
        assert app.focused is editor.query_one(".event-description", FormField).input
        await pilot.press("ctrl+s")  # state and description missing: not sent
        await settle(pilot)
        assert app.sandbox.tracking_writes == [] and app.outbox.list() == []
        assert app.focused is editor.query_one(".event-state", FormField).input
        # A second event, then ctrl+d (from inside a field) deletes the focused one.
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(screen.query(EventEditor)) == 2
        assert "Events (2)" in str(screen.query_one("#events-title", Static).render())
        await pilot.press("ctrl+d")
        await pilot.pause()
        editors = screen.query(EventEditor)
        assert len(editors) == 1 and editors.first() is editor
        assert editor.query_one(".event-city", FormField).value == "Bello"


async def test_accepted_write_marks_the_order_delivered_and_shows_it():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "order", data.ORDER_ON_ROUTE)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrackingScreen)
        assert "invoiced" in static_text(app, "#tracking-order")
        await type_into(pilot, field(screen, "#delivered"), "2025-02-11 10:00")
        await add_event(pilot, screen, "Envigado", "ANTIOQUIA", "Delivered to [b]the door[/b]", "2025-02-11 09:55")
        sent_preview = json.loads(preview(screen))
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = {
            "deliveredDate": "2025-02-11T10:00:00.000Z",
            "events": [
                {
                    "city": "Envigado",
                    "state": "ANTIOQUIA",
                    "description": "Delivered to [b]the door[/b]",
                    "date": "2025-02-11T09:55:00.000Z",
                }
            ],
        }
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, expected)]
        assert sent_preview == expected  # the preview was exactly what was sent
        assert app.sandbox.order(data.ORDER_ON_ROUTE)["status"] == "COMPLETED"
        # Back on the order screen, which shows its new state.
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.data.status == "COMPLETED"
        assert "COMPLETED" in app.screen.subtitle
        assert app.outbox.counts() == (0, 0, 0, 0)
        assert "is marked delivered" in notifications(app)


async def test_accepted_write_from_elsewhere_opens_the_order():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await type_into(pilot, field(screen, "#delivered"), "now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, {"deliveredDate": "2025-02-11T12:30:00.000Z"})]
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_ON_ROUTE and app.screen.data.status == "COMPLETED"
        assert screen not in app.screen_stack


async def test_not_invoiced_order_warns_and_cancel_sends_nothing():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_NOT_INVOICED)
        assert "not invoiced" in static_text(app, "#tracking-order")
        await type_into(pilot, field(screen, "#delivered"), "now")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "not invoiced" in app.screen.question and "Send anyway?" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert app.outbox.list() == [] and app.sandbox.tracking_writes == []


async def test_refused_write_keeps_the_form_and_shows_code_and_request_id():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_NOT_INVOICED)
        await add_event(pilot, screen, "CDMX", "CDMX", "Left at door", "2025-02-11 12:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not delivered" in app.screen.question
        await pilot.press("y")  # send and finish
        await pilot.pause()
        await pilot.press("y")  # send anyway
        await settle(pilot)
        assert app.screen is screen
        panel = str(screen.error_panel.render())
        assert screen.error_panel.display
        assert "The order must be invoiced to update the status to delivered" in panel
        assert "code ORA0001B" in panel
        [entry] = app.outbox.list()
        assert entry.state == "failed"
        assert f"requestId {entry.error.request_id}" in panel and entry.error.request_id
        # Still filled in (an events-only write: no delivered date).
        assert field(screen, "#delivered").value == ""
        assert set(entry.payload) == {"events"}
        assert screen.query_one(EventEditor).values()["description"] == "Left at door"
        assert "✘1 failed" in header_status(app)
        # Sending again updates the same outbox entry, it does not add one.
        await type_into(pilot, field(screen, "#delivered"), "2025-02-11 12:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        [again] = app.outbox.list()
        assert again.id == entry.id and again.attempts == 2
        assert again.payload["deliveredDate"] == "2025-02-11T12:00:00.000Z"


async def test_offline_write_is_queued_and_the_header_counts_it():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", data.ORDER_ON_ROUTE)
        await pilot.press("t")
        await settle(pilot)
        app.sandbox.fail_rate = 1.0  # every request now fails with 503
        await type_into(pilot, field(app.screen, "#delivered"), "now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "queued, 1 pending" in notifications(app)
        assert not isinstance(app.screen, TrackingScreen)
        assert "⟳1 pending" in header_status(app)
        [entry] = app.outbox.list()
        assert entry.state == "pending" and entry.payload == {"deliveredDate": "2025-02-11T12:30:00.000Z"}
        assert app.sandbox.tracking_writes == []


async def test_editing_a_failed_write_sends_that_entry():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.forbidden.add(data.ORDER_ON_ROUTE)  # a business 403: refused, kept as failed
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await add_event(pilot, screen, "Envigado", "ANTIOQUIA", "At the gate", "2025-02-11 11:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "could not be read" in app.screen.question  # events alone may finish the order
        await pilot.press("y")
        await settle(pilot)
        [entry] = app.outbox.list()
        assert entry.state == "failed" and entry.error.code == "SHR0007B"
        await pilot.press("escape")  # nothing unsent: the write is in the outbox
        await settle(pilot)
        assert not isinstance(app.screen, TrackingScreen)

        app.sandbox.forbidden.clear()
        screen = await open_form(pilot, data.ORDER_ON_ROUTE, entry.id)
        assert field(screen, "#delivered").value == ""
        assert screen.query_one(EventEditor).values() == {
            "city": "Envigado",
            "state": "ANTIOQUIA",
            "description": "At the gate",
            "date": "2025-02-11 11:00",
        }
        assert "SHR0007B" in str(screen.error_panel.render())
        await type_into(pilot, screen.query_one(EventEditor).query_one(".event-description", FormField), "Gate 2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not delivered" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert app.outbox.list() == []
        assert app.outbox.get(entry.id).state == "sent"
        [(order_id, payload)] = app.sandbox.tracking_writes
        assert order_id == data.ORDER_ON_ROUTE and payload["events"][0]["description"] == "Gate 2"


async def test_leaving_with_unsent_changes_asks_first():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await pilot.press("escape")  # untouched: leaves at once
        await settle(pilot)
        assert screen not in app.screen_stack

        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await pilot.press("ctrl+n", *"Bello")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "not sent" in app.screen.question
        await pilot.press("n")  # stay
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(EventEditor).values()["city"] == "Bello"
        await pilot.press("f2")  # home asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert screen not in app.screen_stack
        assert app.outbox.list() == [] and app.sandbox.tracking_writes == []


async def test_server_text_in_fields_is_never_markup():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await add_event(pilot, screen, "[bold]X[/]", "[red]", "[link=x]y[/link]", "now")
        shown = preview(screen)
        assert "[bold]X[/]" in shown and "[red]" in shown and "[link=x]y[/link]" in shown
        assert isinstance(app.focused, Input)


async def test_handheld_size_keeps_the_focused_field_in_view():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        body = screen.query_one("#body")
        inputs = list(screen.query(Input))
        assert len(inputs) == 1 + 2 * 4
        seen = set()
        for _ in range(len(inputs)):
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert isinstance(focused, Input)
            seen.add(focused)
            assert body.region.contains_region(focused.region), focused
        assert seen == set(screen.query(Input))
        # The preview at the bottom is reachable by scrolling.
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown", "pagedown", "pagedown")
        await settle(pilot)
        assert body.region.overlaps(screen.query_one("#preview").region)


async def test_a_date_out_of_range_is_refused_as_typed_and_the_app_keeps_running():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        delivered = field(screen, "#delivered")
        await type_into(pilot, delivered, "0001-01-01T00:00+14:00")
        assert not delivered.ok
        assert "out of the range of dates" in message(delivered)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, TrackingScreen)
        assert app.outbox.list() == []

"""The tracking form as it is typed: keys typed fast never crash it, a prefilled date is
replaced by typing, the preview is exactly what is sent, and an edited outbox entry keeps
its dates to the millisecond."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from textual import events
from textual.widgets import Static

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.widgets.fields import FormField
from pickterm.widgets.tracking_event import EventEditor

from apphelpers import burst, open_screen, settle
from conftest import FROZEN_NOW

# Local time is UTC and "now" is 2025-02-11 12:30 UTC, so typed local times and the prefill are known.
pytestmark = pytest.mark.usefixtures("utc", "frozen_now")


async def open_form(pilot, order_id: str, entry_id: int | None = None) -> TrackingScreen:
    screen = await open_screen(pilot, "track", order_id, entry_id)
    assert isinstance(screen, TrackingScreen)
    return screen


def preview(screen) -> str:
    return str(screen.query_one("#preview", Static).render())


def event_field(editor: EventEditor, key: str) -> FormField:
    return editor.query_one(f".event-{key}", FormField)


def message(form_field: FormField) -> str:
    note = form_field.query_one(".field-message", Static)
    return str(note.render()) if note.display else ""


async def test_dates_typed_fast_then_ctrl_n_are_shown_as_problems_and_the_form_keeps_running():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        # Every key at once, as a fast typist's keys arrive (no pause between them): a delivered
        # date, ctrl+n for an event, an impossible date over the event's prefilled one, ctrl+n again.
        burst(app, "2025-02-11 12:00")
        app.post_message(events.Key("ctrl+n", None))
        await pilot.pause()
        first = screen.query(EventEditor).last()
        event_field(first, "date").focus_input()
        burst(app, "2025-02-11 25:99")
        app.post_message(events.Key("ctrl+n", None))
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert screen.query_one("#delivered", FormField).value == "2025-02-11 12:00"
        editors = list(screen.query(EventEditor))
        assert len(editors) == 2
        date = event_field(editors[0], "date")
        assert date.value == "2025-02-11 25:99"
        assert not date.ok and "not a valid date and time" in message(date)
        assert "fix 7 fields" in preview(screen)  # the date and the two events' empty text fields
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.outbox.list() == [] and app.sandbox.tracking_writes == []


async def test_typing_into_the_prefilled_delivered_date_replaces_it():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        delivered = screen.query_one("#delivered", FormField)
        assert delivered.value == "2025-02-10 11:02:50"  # the server's date, shown once the order came
        assert app.focused is delivered.input
        await pilot.press(*"2025-02-11 10:00")
        assert delivered.value == "2025-02-11 10:00"
        assert json.loads(preview(screen)) == {"deliveredDate": "2025-02-11T10:00:00.000Z"}


async def test_the_body_sent_is_the_one_previewed_even_when_now_moved_on(monkeypatch):
    clock = [FROZEN_NOW]
    monkeypatch.setattr(TrackingScreen, "clock", staticmethod(lambda: clock[0]))
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        screen.query_one("#delivered", FormField).input.value = "now"
        await pilot.pause()
        shown = json.loads(preview(screen))
        assert shown == {"deliveredDate": "2025-02-11T12:30:00.000Z"}
        clock[0] = FROZEN_NOW + timedelta(minutes=3, seconds=7)  # the packer reads the preview a while
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, shown)]
        [entry] = app.outbox.history()
        assert entry.payload == shown


async def test_an_edited_outbox_entry_keeps_its_dates_to_the_millisecond():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.forbidden.add(data.ORDER_ON_ROUTE)  # a business 403: refused, kept as failed
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        screen.query_one("#delivered", FormField).input.value = "2025-02-11T10:00:00.123Z"
        await pilot.press("ctrl+n")
        await pilot.pause()
        editor = screen.query_one(EventEditor)
        for key, value in (
            ("city", "Bello"),
            ("state", "ANT"),
            ("description", "Door"),
            ("date", "2025-02-11 09:59:58.250"),
        ):
            event_field(editor, key).input.value = value
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # the order could not be read (403)
        await pilot.press("y")
        await settle(pilot)
        [entry] = app.outbox.list()
        assert entry.state == "failed"
        sent = {
            "deliveredDate": "2025-02-11T10:00:00.123Z",
            "events": [{"city": "Bello", "state": "ANT", "description": "Door", "date": "2025-02-11T09:59:58.250Z"}],
        }
        assert entry.payload == sent
        await pilot.press("escape")
        await settle(pilot)

        app.sandbox.forbidden.clear()
        screen = await open_form(pilot, data.ORDER_ON_ROUTE, entry.id)
        assert screen.query_one("#delivered", FormField).value == "2025-02-11 10:00:00.123"
        assert event_field(screen.query_one(EventEditor), "date").value == "2025-02-11 09:59:58.250"
        assert json.loads(preview(screen)) == sent
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, sent)]

"""The tracking form never overwrites what the server knows by accident: it shows the
server's delivered date, sends only what changed, and asks (scanner-safe) before
replacing a delivered date or sending one far from now."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Static

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.widgets.fields import FormField

from apphelpers import notifications, open_screen, settle, wedge

# Local time is UTC and "now" is 2025-02-11 12:30 UTC; ORDER_DELIVERED was delivered 2025-02-10 11:02:50.545 UTC.
pytestmark = pytest.mark.usefixtures("utc", "frozen_now")


async def open_form(pilot, order_id: str) -> TrackingScreen:
    screen = await open_screen(pilot, "track", order_id)
    assert isinstance(screen, TrackingScreen)
    return screen


def delivered(screen) -> FormField:
    return screen.query_one("#delivered", FormField)


def preview(screen) -> str:
    return str(screen.query_one("#preview", Static).render())


async def type_into(pilot, form_field: FormField, text: str) -> None:
    form_field.input.value = text
    await pilot.pause()


async def test_an_order_already_delivered_shows_its_date_and_ctrl_s_does_not_replace_it():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        assert delivered(screen).value == "2025-02-10 11:02:50"
        assert "nothing to send" in preview(screen).lower()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert app.sandbox.tracking_writes == [] and app.outbox.list() == []
        assert "Nothing to send: the delivered date is what the server has" in notifications(app)
        assert app.sandbox.order(data.ORDER_DELIVERED)["deliveredDate"] == "2025-02-10T11:02:50.545Z"


async def test_an_order_not_delivered_starts_empty_and_events_go_without_a_delivered_date():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        assert delivered(screen).value == ""
        note = delivered(screen).query_one(".field-message", Static)
        assert str(note.render()) == "empty: the server sets it to now"  # not "no delivered date is sent"
        await pilot.press("ctrl+n")
        await pilot.pause()
        editor = screen.query(".event").last()
        for key, value in (
            ("city", "Bello"),
            ("state", "ANTIOQUIA"),
            ("description", "Out for delivery"),
            ("date", "2025-02-11 12:00"),
        ):
            await type_into(pilot, editor.query_one(f".event-{key}", FormField), value)
        assert "deliveredDate" not in json.loads(preview(screen))
        # The server finishes the order on any tracking write: asked first, scanner-safe.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert f"Order {data.ORDER_ON_ROUTE} is not delivered" in question
        assert "these events alone mark it delivered now and" in question and "COMPLETED" in question
        await wedge(pilot, "7501234567892")  # a scan answers nothing
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert app.sandbox.tracking_writes == [] and app.outbox.list() == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        [(order_id, body)] = app.sandbox.tracking_writes
        assert order_id == data.ORDER_ON_ROUTE
        assert set(body) == {"events"}
        # What the server did is said plainly: it set a delivered date and finished the order.
        order = app.sandbox.order(data.ORDER_ON_ROUTE)
        assert order["status"] == "COMPLETED" and order["deliveredDate"]
        shown = notifications(app)
        assert "the server marked order" in shown and "it is finished" in shown
        assert "is marked delivered" not in shown


async def test_events_only_for_a_delivered_order_keep_its_date():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        await pilot.press("ctrl+n")
        await pilot.pause()
        editor = screen.query(".event").last()
        for key, value in (("city", "Roma"), ("state", "CDMX"), ("description", "Signed"), ("date", "now")):
            await type_into(pilot, editor.query_one(f".event-{key}", FormField), value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [(_, body)] = app.sandbox.tracking_writes  # no question: the order is delivered already
        assert "deliveredDate" not in body and len(body["events"]) == 1
        assert f"the events of order {data.ORDER_DELIVERED} are recorded" in notifications(app)
        assert app.sandbox.order(data.ORDER_DELIVERED)["deliveredDate"] == "2025-02-10T11:02:50.545Z"


async def test_changing_an_existing_delivered_date_asks_first_showing_old_and_new():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        await type_into(pilot, delivered(screen), "2025-02-11 09:00")
        assert json.loads(preview(screen)) == {"deliveredDate": "2025-02-11T09:00:00.000Z"}
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "2025-02-10 11:02:50" in question and "2025-02-11 09:00" in question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and app.sandbox.tracking_writes == [] and app.outbox.list() == []

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [(data.ORDER_DELIVERED, {"deliveredDate": "2025-02-11T09:00:00.000Z"})]


async def test_a_scan_never_answers_the_question():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        await type_into(pilot, delivered(screen), "2025-02-11 09:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        await wedge(pilot, "7501031311309")  # a scan: digits, then Enter
        await pilot.press("enter")  # and a lone Enter
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.ignored == ["7501031311309", "(Enter)"]
        assert "Not counted" in str(dialog.query_one("#not-counted", Static).render())
        assert app.sandbox.tracking_writes == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.sandbox.tracking_writes == []


async def test_a_delivered_date_more_than_30_days_away_asks_first():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_ON_ROUTE)
        await type_into(pilot, delivered(screen), "1970-01-01 00:00")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "1970-01-01 00:00" in app.screen.question and "days ago" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and app.sandbox.tracking_writes == [] and app.outbox.list() == []
        # A date within 30 days goes without a question.
        await type_into(pilot, delivered(screen), "2025-02-01 10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, {"deliveredDate": "2025-02-01T10:00:00.000Z"})]


async def test_a_refused_write_is_titled_by_what_the_code_means():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_NOT_INVOICED)
        await type_into(pilot, delivered(screen), "now")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")  # send anyway
        await settle(pilot)
        panel = str(screen.error_panel.render())
        assert panel.startswith("✘ Order not invoiced")  # ORA0001B comes as a 404, yet nothing is missing
        assert "Not found" not in panel and "code ORA0001B" in panel


async def test_the_servers_date_is_no_unsent_change():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        assert not screen.has_unsent_changes
        await pilot.press("escape")
        await settle(pilot)
        assert screen not in app.screen_stack and not isinstance(app.screen, ConfirmScreen)


async def test_a_date_for_an_order_that_could_not_be_read_asks_first():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.sandbox.fail_rate = 1.0  # the order cannot be read
        screen = await open_form(pilot, data.ORDER_DELIVERED)
        assert delivered(screen).value == ""
        await type_into(pilot, delivered(screen), "now")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "could not be read" in app.screen.question and "may replace one" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and app.outbox.list() == []

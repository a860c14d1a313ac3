"""The outbox screen: pending and failed tracking writes; retry, edit, discard."""

from __future__ import annotations

from pickterm.api.models import TrackingUpdate
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.outbox import OutboxScreen
from pickterm.screens.tracking import TrackingScreen

from apphelpers import header_status, open_screen, settle, text_of

DELIVERED = TrackingUpdate(delivered_date="2025-02-11T10:00:00Z")


async def failed_entry(app, order_id: str = data.ORDER_NOT_INVOICED):
    """A write the server refused (ORA0001B for the not-invoiced order, SHR0007B when forbidden)."""
    outcome = await app.outbox.submit(await app.client(), order_id, DELIVERED)
    assert outcome.state == "failed"
    app.refresh_outbox_counts()
    return outcome.entry


async def open_outbox(pilot) -> OutboxScreen:
    screen = await open_screen(pilot, "open_outbox")
    assert isinstance(screen, OutboxScreen)
    return screen


async def test_lists_pending_and_failed_writes_with_the_servers_error():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        failed = await failed_entry(app)
        pending = app.outbox.add(data.ORDER_ON_ROUTE, DELIVERED)
        screen = await open_outbox(pilot)
        shown = text_of(screen)
        assert "1 pending · 1 failed" in shown
        assert f"#{failed.id} {data.ORDER_NOT_INVOICED}  ✘ failed" in shown
        assert f"#{pending.id} {data.ORDER_ON_ROUTE}  ⟳ pending" in shown
        assert "attempts: 1 · delivered 2025-02-11T10:00:00.000Z" in shown
        assert "attempts: 0" in shown
        assert "The order must be invoiced to update the status to delivered" in shown
        assert f"code ORA0001B · requestId {failed.error.request_id}" in shown
        assert "created: " in shown
        assert "⟳ 1 pending" in header_status(app) and "✘ 1 failed" in header_status(app)


async def test_empty_outbox_says_so():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_outbox(pilot)
        assert "The outbox is empty" in text_of(screen)
        await pilot.press("r", "e", "d")  # nothing to act on
        await settle(pilot)
        assert app.screen is screen


async def test_retry_sends_a_failed_write_now():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.forbidden.add(data.ORDER_ON_ROUTE)
        entry = await failed_entry(app, data.ORDER_ON_ROUTE)
        screen = await open_outbox(pilot)
        assert "SHR0007B" in text_of(screen)
        await pilot.press("r")  # still refused: stays, one more attempt
        await settle(pilot)
        assert app.outbox.get(entry.id).attempts == 2 and app.outbox.get(entry.id).state == "failed"
        app.sandbox.forbidden.clear()
        await pilot.press("r")
        await settle(pilot)
        assert app.outbox.get(entry.id).state == "sent"
        assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, {"deliveredDate": "2025-02-11T10:00:00.000Z"})]
        assert "The outbox is empty" in text_of(screen)
        assert "pending" not in header_status(app) and "failed" not in header_status(app)


async def test_retry_sends_a_pending_write_now():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        entry = app.outbox.add(data.ORDER_ON_ROUTE, DELIVERED)
        screen = await open_outbox(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.outbox.get(entry.id).state == "sent"
        assert "The outbox is empty" in text_of(screen)


async def test_edit_opens_the_tracking_form_on_that_entry():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await failed_entry(app)
        entry = await failed_entry(app)  # the second one
        screen = await open_outbox(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TrackingScreen)
        assert form.entry_id == entry.id and form.order_id == data.ORDER_NOT_INVOICED
        assert "ORA0001B" in str(form.error_panel.render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_discard_asks_then_removes_the_write():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        entry = await failed_entry(app)
        screen = await open_outbox(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"#{entry.id}" in app.screen.question and "never be sent" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.outbox.get(entry.id) is not None
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert app.outbox.get(entry.id) is None
        assert "The outbox is empty" in text_of(screen)
        assert "failed" not in header_status(app)
        assert app.sandbox.tracking_writes == []

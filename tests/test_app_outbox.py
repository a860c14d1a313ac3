"""The outbox screen: pending, failed and uncertain tracking writes; retry, edit,
discard; the history."""

from __future__ import annotations

from pickterm.api.models import TrackingUpdate
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.outbox import OutboxScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.store.outbox import Target

from apphelpers import header_status, open_screen, settle, text_of

DELIVERED = TrackingUpdate(delivered_date="2025-02-11T10:00:00Z")


async def failed_entry(app, order_id: str = data.ORDER_NOT_INVOICED):
    """A write the server refused (ORA0001B for the not-invoiced order, SHR0007B when forbidden)."""
    outcome = await app.outbox.submit(await app.client(), order_id, DELIVERED)
    assert outcome.state == "failed"
    app.store.recount()
    return outcome.entry


async def open_outbox(pilot) -> OutboxScreen:
    screen = await open_screen(pilot, "outbox")
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
        entry = app.outbox.add(data.ORDER_ON_ROUTE, DELIVERED, Target.of(await app.client()))
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
        app.sandbox.forbidden.add(data.ORDER_ON_ROUTE)
        entry = await failed_entry(app, data.ORDER_ON_ROUTE)  # the second one
        screen = await open_outbox(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TrackingScreen)
        assert form.entry_id == entry.id and form.order_id == data.ORDER_ON_ROUTE
        assert "SHR0007B" in str(form.error_panel.render())
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


def _uncertain(app, order_id: str, update: TrackingUpdate, target: Target):
    """An entry whose sender died mid-flight: nobody knows whether the server applied it."""
    entry = app.outbox.add(order_id, update, target)
    with app.outbox.db.write() as conn:
        conn.execute(
            "UPDATE outbox SET claimed_by = 'elsewhere:1:x', lease_until = 0, attempts = 1 WHERE id = ?", (entry.id,)
        )
    app.outbox.settle_interrupted()
    return app.outbox.get(entry.id)


async def test_a_write_that_may_have_been_sent_shows_the_order_and_asks_before_sending_again():
    from pickterm.api.models import TrackingEvent

    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        event = TrackingUpdate(
            events=[TrackingEvent(city="Lima", state="LIM", description="Out", date="2025-02-10T08:00:00Z")]
        )
        entry = _uncertain(app, data.ORDER_ON_ROUTE, event, Target.of(await app.client()))
        screen = await open_outbox(pilot)
        shown = text_of(screen)
        assert "? may have been sent" in shown and "0 pending · 0 failed · 1 may have been sent" in shown
        assert "r: check the order, then send again" in shown
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert (
            "may have been sent already" in app.screen.question and "The order now shows status" in app.screen.question
        )
        await pilot.press("n")
        await settle(pilot)
        assert app.sandbox.tracking_writes == [] and app.outbox.get(entry.id).state == "uncertain"
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.outbox.get(entry.id).state == "sent" and len(app.sandbox.tracking_writes) == 1


async def test_history_lists_settled_writes_newest_first_with_time_target_and_answer():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        client = await app.client()
        failed = await failed_entry(app)
        sent = (await app.outbox.submit(client, data.ORDER_ON_ROUTE, DELIVERED)).entry
        older = app.outbox.add(data.ORDER_WEIGHABLE, DELIVERED, Target.of(client))
        app.outbox.supersede(older.id)
        screen = await open_outbox(pilot)
        await pilot.press("h")
        await settle(pilot)
        shown = text_of(screen)
        assert "History, newest first (3)" in shown
        order = [shown.index(f"#{e.id} ") for e in (older, sent, failed)]
        assert order == sorted(order)  # newest first
        assert "– superseded" in shown and "✔ sent" in shown and "✘ failed" in shown
        assert "server: delivered 2025-02-11T10:00:00.000Z" in shown and "ORA0001B" in shown
        assert "to: demo @ " in shown and "settled: " in shown
        await pilot.press("d")  # history entries cannot be acted on
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("h")
        await settle(pilot)
        assert "1 failed" in text_of(screen)


async def test_the_header_counts_the_writes_of_this_profile_only(tmp_path):
    """One store, two profiles: the header counts what this profile wrote (and entries from
    before writes had a target), not another profile's writes, which it never sends."""
    from pickterm.connect import demo_client
    from pickterm.store.config import Settings
    from pickterm.store.outbox import Outbox
    from pickterm.store.state import StateDB

    elsewhere = "https://api.example.com/v1"
    with StateDB.open() as db:
        outbox = Outbox(db)
        for order_id in (data.ORDER_ON_ROUTE, data.ORDER_WEIGHABLE):
            outbox.add(order_id, DELIVERED, Target("shop1", elsewhere, elsewhere))
        outbox.add(data.ORDER_COP, DELIVERED, Target("shop2", elsewhere, elsewhere))
    for profile, shown in (("shop2", "⟳ 1 pending"), ("shop1", "⟳ 2 pending")):
        app = PickTermApp(
            settings=Settings(profile=profile, config_path=tmp_path / "config.toml"), client=demo_client()
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert header_status(app) == shown


def _killed_mid_patch(app, order_id: str, update: TrackingUpdate, target: Target):
    """An entry whose sender was killed mid-PATCH, before anyone settled it (its lease still runs)."""
    import socket
    import subprocess
    import sys
    import time

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    entry = app.outbox.add(order_id, update, target)
    with app.outbox.db.write() as conn:
        conn.execute(
            "UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = 1 WHERE id = ?",
            (f"{socket.gethostname()}:{gone.pid}:x", time.time() + 600, entry.id),
        )
    return entry


async def test_the_header_list_and_summary_tell_one_story_about_writes_that_may_have_been_sent():
    from pickterm.api.models import TrackingEvent

    event = TrackingUpdate(
        events=[TrackingEvent(city="Lima", state="LIM", description="Out", date="2025-02-10T08:00:00Z")]
    )
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.sandbox.fail_rate = 1.0  # the background retries cannot settle anything meanwhile
        target = Target.of(await app.client())
        settled = _uncertain(app, data.ORDER_ON_ROUTE, event, target)
        killed = _killed_mid_patch(app, data.ORDER_WEIGHABLE, event, target)
        app.store.recount()
        screen = await open_outbox(pilot)
        shown = text_of(screen)
        assert "0 pending · 0 failed · 2 may have been sent" in shown
        assert f"#{settled.id} {data.ORDER_ON_ROUTE}  ? may have been sent" in shown
        assert f"#{killed.id} {data.ORDER_WEIGHABLE}  ? may have been sent" in shown
        assert "pending  " not in shown and "⟳" not in shown
        assert "? 2 may have been sent" in header_status(app)
        assert "failed" not in header_status(app) and "pending" not in header_status(app)
        await pilot.press("e")  # it may have been sent: never edited and sent again without asking
        await settle(pilot)
        assert app.screen is screen and app.sandbox.tracking_writes == []


async def test_the_narrow_header_names_writes_that_may_have_been_sent_not_failed():
    from pickterm.api.models import TrackingEvent

    event = TrackingUpdate(
        events=[TrackingEvent(city="Lima", state="LIM", description="Out", date="2025-02-10T08:00:00Z")]
    )
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        target = Target.of(await app.client())
        _uncertain(app, data.ORDER_ON_ROUTE, event, target)
        _uncertain(app, data.ORDER_WEIGHABLE, event, target)
        app.store.recount()
        await settle(pilot)
        assert "?2 may have been sent" in header_status(app) and "failed" not in header_status(app)

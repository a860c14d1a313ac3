"""The app and a local store under faults: another process holding the database, a
corrupt file, a database locked at start, writes made by another pickterm. The screen
never waits on the database, lookups never need it, and the header tells the truth."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from textual.widgets import Input

from pickterm import app as app_module
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.help import HelpScreen
from pickterm.screens.lookup import LookupScreen
from pickterm.store import database as store_database
from pickterm.store.state import StateDB, state_path

from apphelpers import answer, header_status, notifications, settle, static_text, until

WAIT_SECONDS = 10.0
"""How long a test waits at most for something that happens in the background (far more than needed)."""


class Holder(threading.Thread):
    """Another process holding the database: a write transaction kept open until ``release()``
    (or, should the app never let the test get that far, until ``fallback`` seconds pass)."""

    def __init__(self, path, fallback: float = 20.0) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.fallback = fallback
        self.locked = threading.Event()
        self._release = threading.Event()
        self.released_by_fallback = False

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        self.locked.set()
        if not self._release.wait(self.fallback):
            self.released_by_fallback = True
        conn.execute("ROLLBACK")
        conn.close()

    def hold(self) -> Holder:
        self.start()
        assert self.locked.wait(WAIT_SECONDS)
        return self

    def release(self) -> None:
        self._release.set()
        self.join(WAIT_SECONDS)


@pytest.fixture
def fast_store_poll(monkeypatch):
    monkeypatch.setattr(app_module.PickTermApp, "STORE_POLL_SECONDS", 0.05, raising=False)


# ---------------------------------------------------------------- 7: never waiting on the database


async def test_keys_echo_while_another_process_holds_the_database(monkeypatch):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)  # a long wait for the lock
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        holder = Holder(app.state.path).hold()
        try:
            # Opening an order saves a recent lookup: a write that has to wait for the lock.
            app.open("order", data.ORDER_COP)
            await until(pilot, lambda: getattr(app.screen, "data", None) is not None, "the order is shown")
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("f1", "f2")
            assert isinstance(app.screen, LookupScreen)
            await pilot.press(*"1508")
            assert app.screen.query_one("#lookup-input", Input).value == "1508"
            # All of it while the other process still held the database.
            assert not holder.released_by_fallback
        finally:
            holder.release()
        assert not holder.released_by_fallback
        # Once the lock is gone, the lookup is saved after all.
        await until(
            pilot, lambda: [r.ident for r in app.state.recent()][:1] == [data.ORDER_COP], "the recent lookup is saved"
        )


async def test_the_outbox_retry_loop_waiting_for_the_database_never_freezes_the_screen(monkeypatch):
    from pickterm.api.models import TrackingUpdate
    from pickterm.sandbox import DEMO_API_URL, DEMO_AUTH_URL
    from pickterm.store.outbox import Outbox, Target

    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)
    state = StateDB.open(demo=True)
    Outbox(state).add(
        data.ORDER_ON_ROUTE,
        TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"),
        Target("demo", DEMO_API_URL, DEMO_AUTH_URL),
    )
    holder = Holder(state.path).hold()  # the retry loop's first send has to wait for the lock
    try:
        app = PickTermApp(demo=True, state=state)
        async with app.run_test(size=(40, 16)) as pilot:
            await settle(pilot)
            assert not holder.released_by_fallback  # the app started while the lock was held
            assert "⟳1 pending" in header_status(app)
            await pilot.press(*"1509")
            assert app.screen.query_one("#lookup-input", Input).value == "1509"
            await pilot.press("f1")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("f1")
            assert not holder.released_by_fallback  # all of it while the lock was held
            holder.release()
            await until(pilot, lambda: "pending" not in header_status(app), "the write is sent once the lock goes")
            assert app.sandbox.tracking_writes == [(data.ORDER_ON_ROUTE, {"deliveredDate": "2025-02-11T10:00:00.000Z"})]
    finally:
        holder.release()
    assert not holder.released_by_fallback


async def test_a_busy_database_shows_in_the_header_and_clears(monkeypatch):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 100)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        holder = Holder(app.state.path).hold()
        try:
            app.open("order", data.ORDER_COP)
            await until(pilot, lambda: "store busy" in header_status(app), "the header says the store is busy")
            assert app.screen.data is not None and not app.screen.error_panel.display
            # The toast is a message of its own: it may come a moment after the header.
            await until(pilot, lambda: "The local store is busy" in notifications(app), "the toast says it is busy")
        finally:
            holder.release()
        app.open("order", data.ORDER_ON_ROUTE)
        await settle(pilot)
        await until(pilot, lambda: "store" not in header_status(app), "the header is clear again")


async def outbox_with_a_refused_write(app, pilot) -> int:
    """The outbox screen, showing one write the server refused; its id."""
    from pickterm.api.models import TrackingUpdate

    update = TrackingUpdate(delivered_date="2025-02-11T10:00:00Z")
    outcome = await app.outbox.submit(await app.client(), data.ORDER_NOT_INVOICED, update)
    assert outcome.state == "failed"
    app.open("outbox")
    await settle(pilot)
    return outcome.entry.id


async def test_discarding_in_the_outbox_while_another_process_holds_the_database_never_freezes(monkeypatch):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        entry_id = await outbox_with_a_refused_write(app, pilot)
        holder = Holder(app.state.path, fallback=5.0).hold()
        try:
            await pilot.press("d")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await answer(pilot, "y")  # the discard waits for the lock...
            await pilot.press("f1")  # ...and the keys still work
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("f1")
            assert not holder.released_by_fallback
        finally:
            holder.release()
        assert not holder.released_by_fallback
        await until(pilot, lambda: app.outbox.get(entry_id) is None, "the write is discarded once the lock goes")


async def test_retrying_in_the_outbox_while_another_process_holds_the_database_never_freezes(monkeypatch):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        entry_id = await outbox_with_a_refused_write(app, pilot)
        holder = Holder(app.state.path, fallback=5.0).hold()
        try:
            await pilot.press("r")  # the retry waits for the lock...
            await pilot.pause()
            await pilot.press("f1")  # ...and the keys still work
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("f1")
            assert not holder.released_by_fallback
        finally:
            holder.release()
        assert not holder.released_by_fallback
        await until(pilot, lambda: app.outbox.get(entry_id).attempts == 2, "the write is sent again once the lock goes")


# ---------------------------------------------------------------- 8: lookups without local state


async def test_escape_on_home_clears_a_lookup_s_error_but_not_the_notice_that_the_store_is_off():
    path = state_path(demo=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database " * 200)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"9999", "escape")
        await pilot.pause()
        assert app.screen.query_one("#lookup-input", Input).value == ""
        assert "No local store" in static_text(app, "#error-panel")  # it lasts as long as the store is off


async def test_a_corrupt_database_never_breaks_lookups_and_f5_picks_it_up_once_fixed(monkeypatch):
    monkeypatch.setattr(app_module.PickTermApp, "STORE_POLL_SECONDS", 3600.0, raising=False)  # only F5
    path = state_path(demo=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database " * 200)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.state is None
        assert "no store" in header_status(app)
        said = notifications(app)
        assert "Local store unavailable" in said and str(path) in said
        assert "recent lookups, pick progress and the outbox are off" in said
        shown = static_text(app, "#error-panel")  # the home screen says it too, for as long as it lasts
        assert "No local store" in shown and "Lookups work" in shown
        app.open("order", data.ORDER_COP)
        await settle(pilot)
        assert app.screen.data is not None and app.screen.data.order_id == data.ORDER_COP
        assert not app.screen.error_panel.display

        path.unlink()  # someone moves the broken file away
        await pilot.press("f5")
        await until(pilot, lambda: app.state is not None, "F5 opens the store again")
        await until(pilot, lambda: "store" not in header_status(app), "the header is clear again")
        assert "The local store is available again" in notifications(app)
        await pilot.press("f5")
        await settle(pilot)
        await until(
            pilot, lambda: [r.ident for r in app.state.recent()] == [data.ORDER_COP], "lookups are remembered again"
        )
        await pilot.press("f2")
        await settle(pilot)
        assert not app.screen.error_panel.display


async def test_a_walk_without_a_store_works_and_says_progress_is_not_saved(fast_store_poll):
    path = state_path(demo=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database " * 200)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open("worksheet", data.WS_MAIN)
        await settle(pilot)
        assert app.screen.model is not None
        assert "Progress is NOT saved: the local store is unavailable" in static_text(app, "#error-panel")


async def test_a_database_locked_at_start_is_picked_up_when_the_lock_goes(monkeypatch, fast_store_poll):
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 100)
    path = state_path(demo=True)
    StateDB.open(path=path).close()
    holder = Holder(path).hold()
    try:
        app = PickTermApp(demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.state is None and "no store" in header_status(app)
            assert "is busy" in notifications(app)
            app.open("order", data.ORDER_COP)
            await settle(pilot)
            assert app.screen.data is not None and not app.screen.error_panel.display
            holder.release()
            await until(pilot, lambda: app.state is not None, "the store is opened once the lock is gone")
            app.open("order", data.ORDER_ON_ROUTE)
            await settle(pilot)
            await until(
                pilot,
                lambda: [r.ident for r in app.state.recent()][:1] == [data.ORDER_ON_ROUTE],
                "lookups are remembered again",
            )
    finally:
        holder.release()


# ---------------------------------------------------------------- 9: the header counts what is true now


def insert_entry(path, state: str) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        cursor = conn.execute(
            "INSERT INTO outbox (order_id, payload, created_at, state) VALUES (?, ?, ?, ?)",
            (data.ORDER_ON_ROUTE, '{"deliveredDate": "2025-02-11T10:00:00.000Z"}', "2025-02-11T10:00:00.000Z", state),
        )
        return int(cursor.lastrowid)
    finally:
        conn.close()


def run_sql(path, sql: str, *args) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(sql, args)
    finally:
        conn.close()


async def test_the_header_and_the_quit_question_follow_another_process(fast_store_poll):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.fail_rate = 1.0  # this app cannot reach the server
        path = app.state.path
        entry_id = insert_entry(path, "pending")  # another terminal queued a write...
        failed_id = insert_entry(path, "failed")
        await until(
            pilot,
            lambda: "⟳1 pending" in header_status(app) and "✘1 failed" in header_status(app),
            "the header counts the writes made elsewhere",
        )
        # ...and `pickterm outbox flush` there sent one, and the other was discarded.
        run_sql(
            path,
            "UPDATE outbox SET state = 'sent', sent_at = '2025-02-11T10:01:00.000Z', claimed_by = NULL WHERE id = ?",
            entry_id,
        )
        run_sql(path, "DELETE FROM outbox WHERE id = ?", failed_id)
        await until(
            pilot,
            lambda: "pending" not in header_status(app) and "failed" not in header_status(app),
            "the header forgets what was flushed elsewhere",
        )
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
    assert app.return_code == 0


async def test_quit_counts_again_before_asking(fast_store_poll, monkeypatch):
    # Even between two polls, ctrl+q does not warn about writes that were sent elsewhere.
    monkeypatch.setattr(app_module.PickTermApp, "STORE_POLL_SECONDS", 3600.0, raising=False)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.outbox_counts = (0, 0, 3, 0)  # what the header showed a moment ago
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
    assert app.return_code == 0

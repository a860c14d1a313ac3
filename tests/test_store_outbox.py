"""The outbox: stored before sending, sent once, queued when offline, rejections kept."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest

from pickterm.api import PickPackClient, errors
from pickterm.api.models import TrackingEvent, TrackingUpdate
from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox
from pickterm.sandbox.data import ORDER_NOT_INVOICED, ORDER_ON_ROUTE, ORDER_WEIGHABLE
from pickterm.store.outbox import Outbox, OutboxError, Target, run_retries
from pickterm.store.state import StateDB

from apphelpers import no_sleep, offline_client, patches

UPDATE = TrackingUpdate(
    delivered_date=datetime(2025, 2, 13, 2, 0, tzinfo=UTC),
    events=[
        TrackingEvent(city="São Paulo", state="SP", description="Delivery", date=datetime(2025, 2, 10, tzinfo=UTC))
    ],
)


TARGET = Target("default", DEMO_API_URL, DEMO_AUTH_URL)


def client_for(sandbox: Sandbox, key: str = DEMO_API_KEY, transport=None) -> PickPackClient:
    return PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, key, transport=transport or sandbox.transport(), sleep=no_sleep)


@pytest.fixture
def outbox(db):
    return Outbox(db)


async def test_accepted_write_is_marked_sent_once(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, UPDATE)
        assert outcome.state == "sent" and outcome.error is None
        assert outcome.result.order_id == ORDER_ON_ROUTE
        assert await outbox.flush(client) == []  # nothing left: never sent again
    assert sandbox.tracking_writes == [(ORDER_ON_ROUTE, UPDATE.to_payload())]
    assert outbox.counts() == (0, 0, 0, 0) and outbox.list() == []
    [sent] = outbox.list(("sent",))
    assert sent.sent_at and sent.attempts == 1 and sent.claimed_by is None
    assert sent.payload == UPDATE.to_payload() and sent.update == UPDATE


async def test_entry_is_committed_and_claimed_before_the_request_leaves(db):
    sandbox = Sandbox()
    inner = sandbox.transport()
    seen = []

    class Watch(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            if request.method == "PATCH":
                with StateDB.open(path=db.path) as other:  # what another process would see now
                    seen.extend(Outbox(other).list())
            return await inner.handle_async_request(request)

    async with client_for(sandbox, transport=Watch()) as client:
        outcome = await Outbox(db).submit(client, ORDER_ON_ROUTE, UPDATE)
    assert outcome.state == "sent"
    [entry] = seen
    assert entry.state == "pending" and entry.attempts == 1 and entry.in_flight
    assert entry.payload == UPDATE.to_payload()


async def test_server_trouble_keeps_it_pending_then_a_flush_delivers(outbox):
    sandbox = Sandbox(fail_rate=1)
    async with client_for(sandbox) as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, UPDATE)
        assert outcome.state == "pending"
        assert isinstance(outcome.error, errors.ServerError)
        entry = outcome.entry
        assert entry.attempts == 1 and entry.last_error["sentence"] == "Server error"
        assert entry.error_text.startswith("Server error") and not entry.in_flight
        assert outbox.counts() == (1, 0, 0, 0)
        sandbox.fail_rate = 0
        [again] = await outbox.flush(client)
    assert again.state == "sent" and again.entry.attempts == 2
    assert sandbox.tracking_writes == [(ORDER_ON_ROUTE, UPDATE.to_payload())]
    assert outbox.counts() == (0, 0, 0, 0)


async def test_business_rejection_is_failed_with_message_code_and_request_id(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcome = await outbox.submit(client, ORDER_NOT_INVOICED, UPDATE)
        assert outcome.state == "failed"
        assert await outbox.flush(client) == []  # a failed entry is not retried on its own
    entry = outbox.get(outcome.entry.id)
    assert entry.state == "failed"
    assert entry.last_error["code"] == "ORA0001B"
    assert entry.last_error["message"] == "The order must be invoiced to update the status to delivered"
    assert entry.last_error["requestId"]
    assert "ORA0001B" in entry.error_text and entry.last_error["requestId"] in entry.error_text
    assert outbox.counts() == (0, 0, 1, 0)
    assert sandbox.tracking_writes == [] and len(patches(sandbox)) == 1


async def test_rejected_key_keeps_it_pending_with_the_reason(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox, key="wrong-key") as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, UPDATE)
    assert outcome.state == "pending" and isinstance(outcome.error, errors.AuthenticationError)
    assert outbox.get(outcome.entry.id).last_error["kind"] == "AuthenticationError"
    async with client_for(sandbox) as fixed:
        assert [o.state for o in await outbox.flush(fixed)] == ["sent"]


async def test_offline_flush_stops_early_and_keeps_everything(outbox):
    first = outbox.add(ORDER_ON_ROUTE, UPDATE, TARGET)
    second = outbox.add(ORDER_WEIGHABLE, UPDATE, TARGET)
    async with offline_client() as client:
        outcomes = await outbox.flush(client)
    assert [(o.entry.id, o.state) for o in outcomes] == [(first.id, "pending")]
    assert isinstance(outcomes[0].error, errors.OfflineError)
    assert outbox.get(first.id).attempts == 1 and outbox.get(second.id).attempts == 0
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        assert [o.entry.id for o in await outbox.flush(client)] == [first.id, second.id]  # oldest first
    assert [w[0] for w in sandbox.tracking_writes] == [ORDER_ON_ROUTE, ORDER_WEIGHABLE]


async def test_two_senders_never_send_the_same_entry(db):
    sandbox = Sandbox(latency_ms=50)
    entry = Outbox(db).add(ORDER_ON_ROUTE, UPDATE, TARGET)
    with StateDB.open(path=db.path) as other_db:
        async with client_for(sandbox) as a, client_for(sandbox) as b:
            outcomes = await asyncio.gather(Outbox(db).flush(a), Outbox(other_db).send(entry.id, b))
    flushed, direct = outcomes
    states = sorted([o.skipped for o in flushed] + [direct.skipped])
    assert states in ([False], [False, True])  # one real attempt; the other skipped or saw nothing
    assert sandbox.tracking_writes == [(ORDER_ON_ROUTE, UPDATE.to_payload())]
    assert len(patches(sandbox)) == 1


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _claim(db: StateDB, entry_id: int, owner: str, lease_until: float) -> None:
    with db.write() as conn:
        conn.execute(
            "UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?",
            (owner, lease_until, entry_id),
        )


DELIVERED = TrackingUpdate(delivered_date=datetime(2025, 2, 13, 2, 0, tzinfo=UTC))
EVENTS_ONLY = TrackingUpdate(
    events=[
        TrackingEvent(city="Lima", state="LIM", description="Out for delivery", date=datetime(2025, 2, 10, tzinfo=UTC))
    ]
)


async def test_a_claim_left_by_a_dead_process_is_uncertain_never_sent_blindly(db, outbox):
    events = outbox.add(ORDER_WEIGHABLE, EVENTS_ONLY, TARGET)
    delivered = outbox.add(ORDER_ON_ROUTE, DELIVERED, TARGET)
    for entry in (events, delivered):
        _claim(db, entry.id, f"{socket.gethostname()}:{_dead_pid()}:abc", time.time() + 600)
    assert not outbox.get(events.id).in_flight
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcomes = await outbox.flush(client)
        assert await outbox.flush(client) == []  # nothing more to do, also not on a second flush
    # The delivered date was read back (not there: the request never got through) and sent once.
    assert [(o.entry.id, o.state, o.reconciled) for o in outcomes] == [
        (delivered.id, "pending", True),
        (delivered.id, "sent", False),
    ]
    assert sandbox.tracking_writes == [(ORDER_ON_ROUTE, DELIVERED.to_payload())]
    # The events-only write may have reached the server: it waits for a person.
    after = outbox.get(events.id)
    assert after.state == "uncertain" and after.uncertain_reason == "interrupted" and after.attempts == 1
    assert outbox.counts() == (0, 0, 0, 1)


async def test_a_live_claim_is_respected_until_its_lease_ends(db, outbox):
    entry = outbox.add(ORDER_ON_ROUTE, DELIVERED, TARGET)
    live_owner = f"{socket.gethostname()}:{os.getppid()}:abc"  # our parent: alive
    _claim(db, entry.id, live_owner, time.time() + 600)
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        assert outbox.get(entry.id).in_flight
        assert await outbox.flush(client) == []
        with pytest.raises(OutboxError, match="being sent"):
            outbox.discard(entry.id)
        _claim(db, entry.id, live_owner, time.time() - 1)  # lease over: its outcome is unknown
        outcomes = await outbox.flush(client)
    assert [o.state for o in outcomes] == ["pending", "sent"] and outcomes[0].reconciled
    assert len(sandbox.tracking_writes) == 1


async def test_cancelled_send_is_uncertain_then_read_back(outbox):
    sandbox = Sandbox(latency_ms=2000)
    async with client_for(sandbox) as client:
        entry = outbox.add(ORDER_ON_ROUTE, DELIVERED, TARGET)
        task = asyncio.create_task(outbox.send(entry.id, client))
        await asyncio.sleep(0.05)
        assert outbox.get(entry.id).in_flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    after = outbox.get(entry.id)
    assert after.state == "uncertain" and not after.in_flight and after.claimed_by is None
    sandbox.latency_ms = 0
    async with client_for(sandbox) as client:
        assert [o.state for o in await outbox.flush(client)] == ["pending", "sent"]
    assert len(sandbox.tracking_writes) == 1


async def test_edit_retry_and_discard(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        failed = (await outbox.submit(client, ORDER_NOT_INVOICED, UPDATE)).entry
        edited_update = TrackingUpdate(delivered_date=datetime(2025, 2, 14, 9, 30, tzinfo=UTC))
        edited = outbox.update_payload(failed.id, edited_update)
        assert edited.state == "pending" and edited.last_error is None
        assert edited.payload == {"deliveredDate": "2025-02-14T09:30:00.000Z"}
        again = await outbox.send(failed.id, client)
        assert again.state == "failed"
        assert sandbox.requests[-1].method == "PATCH"
        assert outbox.retry(failed.id).state == "pending"
        sent = (await outbox.submit(client, ORDER_ON_ROUTE, UPDATE)).entry
    with pytest.raises(OutboxError, match="already accepted"):
        outbox.update_payload(sent.id, UPDATE)
    assert outbox.discard(failed.id).id == failed.id
    assert outbox.get(failed.id) is None
    with pytest.raises(OutboxError, match="no outbox entry #999"):
        outbox.discard(999)
    with pytest.raises(ValueError, match="Nothing to send"):
        outbox.add(ORDER_ON_ROUTE, TrackingUpdate())


def test_entries_survive_reopening(db):
    entry = Outbox(db).add(ORDER_ON_ROUTE, UPDATE, TARGET)
    db.close()
    with StateDB.open() as again:
        [stored] = Outbox(again).list()
        row = again._conn.execute("SELECT payload FROM outbox WHERE id = ?", (entry.id,)).fetchone()
    assert stored.id == entry.id and stored.state == "pending"
    assert json.loads(row[0]) == UPDATE.to_payload()


async def test_retry_loop_delivers_once_the_server_recovers(outbox):
    sandbox = Sandbox(fail_rate=1)
    outbox.add(ORDER_ON_ROUTE, UPDATE, TARGET)
    stop = asyncio.Event()
    seen: list[tuple[int, ...]] = []

    async def on_change():
        seen.append(outbox.counts())
        if len(seen) == 3:
            sandbox.fail_rate = 0
        if outbox.counts() == (0, 0, 0, 0):
            stop.set()

    async with client_for(sandbox) as client:
        await asyncio.wait_for(
            run_retries(client, outbox, stop=stop, base_delay=0.01, max_delay=0.05, on_change=on_change), 10
        )
    assert seen[:3] == [(1, 0, 0, 0)] * 3 and seen[-1] == (0, 0, 0, 0)
    assert outbox.list(("sent",))[0].attempts == len(seen)
    assert len(sandbox.tracking_writes) == 1


async def test_retry_loop_backs_off_while_sends_fail(outbox, monkeypatch):
    from pickterm.store import outbox as module

    waits: list[float] = []

    async def fake_wait(stop, wake, timeout):
        waits.append(timeout)
        if len(waits) == 6:
            stop.set()

    monkeypatch.setattr(module, "_wait_any", fake_wait)
    monkeypatch.setattr(module.random, "uniform", lambda low, high: high)  # no jitter
    outbox.add(ORDER_ON_ROUTE, UPDATE, TARGET)
    async with offline_client() as client:
        await run_retries(client, outbox, stop=asyncio.Event(), base_delay=5, max_delay=30)
    assert waits == [10, 20, 30, 30, 30, 30]
    assert outbox.counts() == (1, 0, 0, 0) and outbox.list()[0].attempts == 6


async def test_retry_loop_wakes_on_demand_and_stops():
    with StateDB.open() as db:
        outbox = Outbox(db)
        stop, wake = asyncio.Event(), asyncio.Event()
        sandbox = Sandbox()
        async with client_for(sandbox) as client:
            loop = asyncio.create_task(run_retries(client, outbox, stop=stop, base_delay=60, wake=wake))
            await asyncio.sleep(0.05)
            outbox.add(ORDER_ON_ROUTE, UPDATE, TARGET)
            wake.set()
            for _ in range(100):
                if sandbox.tracking_writes:
                    break
                await asyncio.sleep(0.02)
            stop.set()
            await asyncio.wait_for(loop, 2)
    assert len(sandbox.tracking_writes) == 1


def test_one_function_says_what_an_entry_is_now_and_every_count_uses_it(db, outbox):
    from pickterm.store.outbox import entry_state

    live = outbox.add(ORDER_ON_ROUTE, DELIVERED, TARGET)
    killed = outbox.add(ORDER_WEIGHABLE, EVENTS_ONLY, TARGET)
    _claim(db, live.id, f"{socket.gethostname()}:{os.getppid()}:abc", time.time() + 600)
    _claim(db, killed.id, f"{socket.gethostname()}:{_dead_pid()}:abc", time.time() + 600)
    assert [entry_state(e) for e in outbox.list()] == ["sending", "uncertain"]
    assert outbox.get(killed.id).uncertain_reason == "interrupted" and outbox.get(killed.id).awaits_decision
    assert outbox.counts() == (0, 1, 0, 1)
    assert {k: v for k, v in outbox.counts_by_state().items() if v} == {"sending": 1, "uncertain": 1}

"""The outbox under faults: order per order, one target per entry, poisoned entries,
unknown outcomes (uncertain), and answers that cannot be recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from pickterm.api import PickPackClient, errors
from pickterm.api.models import TrackingEvent, TrackingUpdate
from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox
from pickterm.sandbox.data import ORDER_NOT_INVOICED, ORDER_ON_ROUTE, ORDER_WEIGHABLE
from pickterm.store import outbox as outbox_module
from pickterm.store.outbox import InvalidOrderIdError, Outbox, OutboxError, Target
from pickterm.store.state import StateDB, StateError

from apphelpers import no_sleep, offline_client, patches

MORNING = TrackingUpdate(delivered_date=datetime(2025, 2, 10, 9, 0, tzinfo=UTC))
EVENING = TrackingUpdate(delivered_date=datetime(2025, 2, 10, 18, 30, tzinfo=UTC))
EVENT = TrackingUpdate(
    events=[
        TrackingEvent(city="Lima", state="LIM", description="Out for delivery", date=datetime(2025, 2, 10, tzinfo=UTC))
    ]
)


def client_for(sandbox: Sandbox, *, transport=None, profile: str = "default") -> PickPackClient:
    return PickPackClient(
        DEMO_API_URL,
        DEMO_AUTH_URL,
        DEMO_API_KEY,
        transport=transport or sandbox.transport(),
        sleep=no_sleep,
        profile=profile,
    )


class LoseTheAnswer(httpx.AsyncBaseTransport):
    """The server applies the PATCH, but its answer never arrives (a read timeout)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = sandbox.transport()

    async def handle_async_request(self, request):
        response = await self.inner.handle_async_request(request)
        if request.method == "PATCH":
            raise httpx.ReadTimeout("timed out", request=request)
        return response


@pytest.fixture
def outbox(db):
    return Outbox(db, sleep=no_sleep)


# ---------------------------------------------------------------- 3. poisoned entries


@pytest.mark.parametrize("bad", ["nope-01", "9" * 100_000, "", "1507400515991-01/../x"])
async def test_ids_that_cannot_be_order_ids_are_refused_before_queueing(outbox, bad):
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        with pytest.raises(InvalidOrderIdError) as caught:
            await outbox.submit(client, bad, MORNING)
    assert len(str(caught.value)) < 200 and "\n" not in str(caught.value)
    assert outbox.list(("pending", "failed", "uncertain", "sent")) == [] and sandbox.requests == []


async def test_a_poisoned_entry_is_failed_with_its_reason_and_the_rest_still_leave(db, outbox):
    target = Target("default", DEMO_API_URL, DEMO_AUTH_URL)
    with db.write() as conn:  # stored by an older pickterm, which did not check ids
        conn.execute(
            "INSERT INTO outbox (order_id, payload, created_at, profile, api_url, auth_url) VALUES (?, ?, ?, ?, ?, ?)",
            ("9" * 100_000, json.dumps(MORNING.to_payload()), "2025-02-10T09:00:00Z", *vars(target).values()),
        )
    good = outbox.add(ORDER_ON_ROUTE, EVENING, target)
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcomes = await outbox.flush(client)
        assert await outbox.flush(client) == []  # the poisoned one is not tried again
    assert [o.state for o in outcomes] == ["failed", "sent"]
    assert "Cannot be sent" in outcomes[0].entry.error_text and "InvalidURL" in outcomes[0].entry.error_text
    assert outbox.get(good.id).state == "sent"
    assert [w[0] for w in sandbox.tracking_writes] == [ORDER_ON_ROUTE]


# ---------------------------------------------------------------- 1. order per order


async def test_a_newer_write_never_overtakes_an_older_pending_one(outbox):
    sandbox = Sandbox()
    async with offline_client() as offline:
        first = await outbox.submit(offline, ORDER_ON_ROUTE, MORNING)
    assert first.state == "pending"
    async with client_for(sandbox) as client:
        second = await outbox.submit(client, ORDER_ON_ROUTE, EVENING)
        assert second.skipped and second.state == "pending" and second.blocked_by.id == first.entry.id
        assert sandbox.tracking_writes == []
        outcomes = await outbox.flush(client)
        order = await client.get_order(ORDER_ON_ROUTE, fresh=True)
    assert [(o.entry.id, o.state) for o in outcomes] == [(first.entry.id, "sent"), (second.entry.id, "sent")]
    assert [w[1]["deliveredDate"] for w in sandbox.tracking_writes] == [
        "2025-02-10T09:00:00.000Z",
        "2025-02-10T18:30:00.000Z",
    ]
    assert order.delivered_date == "2025-02-10T18:30:00.000Z"  # the newer write wins


async def test_a_failed_write_holds_newer_ones_until_it_is_superseded(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        failed = await outbox.submit(client, ORDER_NOT_INVOICED, MORNING)
        assert failed.state == "failed"
        waiting = await outbox.submit(client, ORDER_NOT_INVOICED, EVENING)
        assert waiting.skipped and waiting.blocked_by.id == failed.entry.id
        other_order = await outbox.submit(client, ORDER_ON_ROUTE, EVENING)
        assert other_order.state == "sent"  # other orders are not held up
        assert await outbox.flush(client) == []
        superseded = outbox.supersede(failed.entry.id)
        assert superseded.state == "superseded"
        outcomes = await outbox.flush(client)
    assert [(o.entry.id, o.state) for o in outcomes] == [(waiting.entry.id, "failed")]  # sent (and refused again)
    assert len(patches(sandbox)) == 3
    with pytest.raises(OutboxError, match="superseded"):
        outbox.retry(failed.entry.id)
    history = outbox.history()
    assert failed.entry.id in [e.id for e in history if e.state == "superseded"]
    assert history[0].settled_at >= history[-1].settled_at  # newest first


# ---------------------------------------------------------------- 2. target


async def test_entries_are_sent_only_to_the_target_they_were_written_for(outbox):
    store_a, store_b = Sandbox(), Sandbox()
    async with client_for(store_a, profile="store-a") as a:
        async with offline_client() as offline:
            offline.profile = "store-a"
            queued = await outbox.submit(offline, ORDER_ON_ROUTE, MORNING)
        assert queued.entry.target == Target("store-a", DEMO_API_URL, DEMO_AUTH_URL)
        async with client_for(store_b, profile="store-b") as b:
            assert await outbox.flush(b) == []  # not store B's write: neither sent nor dropped
            skipped = await outbox.send(queued.entry.id, b)
            assert skipped.skipped
        assert store_b.tracking_writes == [] and outbox.get(queued.entry.id).state == "pending"
        assert [o.state for o in await outbox.flush(a)] == ["sent"]
    assert [w[0] for w in store_a.tracking_writes] == [ORDER_ON_ROUTE]


# ---------------------------------------------------------------- 4. uncertain


async def test_no_answer_after_the_request_left_is_uncertain_and_events_are_never_resent(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox, transport=LoseTheAnswer(sandbox)) as client:
        outcome = await outbox.submit(client, ORDER_WEIGHABLE, EVENT)
        assert outcome.state == "uncertain" and isinstance(outcome.error, errors.NoAnswerError)
        assert outcome.entry.uncertain_reason == "no-answer"
        assert await outbox.flush(client) == []
    async with client_for(sandbox) as client:
        assert await outbox.flush(client) == []
    assert len(sandbox.tracking_writes) == 1  # applied once, and never sent again on its own
    assert outbox.counts() == (0, 0, 0, 1)
    outbox.retry(outcome.entry.id)  # the user decides to resend
    async with client_for(sandbox) as client:
        assert [o.state for o in await outbox.flush(client)] == ["sent"]
    assert len(sandbox.tracking_writes) == 2


async def test_an_uncertain_delivered_date_is_read_back_and_settled_as_sent(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox, transport=LoseTheAnswer(sandbox)) as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, EVENING)
    assert outcome.state == "uncertain"
    async with client_for(sandbox) as client:
        [settled] = await outbox.flush(client)
    assert settled.reconciled and settled.state == "sent"
    assert outbox.get(outcome.entry.id).answer["orderDeliveredDate"] == "2025-02-10T18:30:00.000Z"
    assert len(sandbox.tracking_writes) == 1 and len(patches(sandbox)) == 1


# ---------------------------------------------------------------- 5. recording "accepted"


async def test_recording_accepted_is_retried(outbox, monkeypatch):
    real, calls = Outbox._finish, []

    def flaky(self, *args):
        calls.append(args[2])
        if len(calls) < 3:
            raise StateError("State database x is busy")
        return real(self, *args)

    monkeypatch.setattr(Outbox, "_finish", flaky)
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, EVENING)
    assert outcome.state == "sent" and outcome.recorded and len(calls) == 3
    assert outbox.get(outcome.entry.id).state == "sent"


async def test_accepted_but_not_recorded_is_said_so_and_never_resent(outbox, monkeypatch):
    def broken(self, *args):
        raise StateError("State database x: the disk is full; free some space")

    monkeypatch.setattr(Outbox, "_finish", broken)
    sandbox = Sandbox()
    async with client_for(sandbox) as client:
        outcome = await outbox.submit(client, ORDER_WEIGHABLE, EVENT)
    assert outcome.state == "sent" and not outcome.recorded and "disk is full" in str(outcome.record_error)
    monkeypatch.undo()
    monkeypatch.setattr(outbox_module, "_claim_is_stale", lambda *args: True)  # the sender has gone
    async with client_for(sandbox) as client:
        assert await outbox.flush(client) == []
    assert outbox.get(outcome.entry.id).state == "uncertain"
    assert len(sandbox.tracking_writes) == 1


async def test_an_uncertain_write_with_events_not_shown_on_the_order_waits_for_a_person(outbox):
    both = TrackingUpdate(delivered_date=EVENING.delivered_date, events=EVENT.events)

    class NeverArrives(httpx.AsyncBaseTransport):  # the PATCH is lost on the way, its answer too
        def __init__(self, sandbox):
            self.inner = sandbox.transport()

        async def handle_async_request(self, request):
            if request.method == "PATCH":
                raise httpx.ReadTimeout("timed out", request=request)
            return await self.inner.handle_async_request(request)

    sandbox = Sandbox()
    async with client_for(sandbox, transport=NeverArrives(sandbox)) as client:
        outcome = await outbox.submit(client, ORDER_ON_ROUTE, both)
    async with client_for(sandbox) as client:
        [checked] = await outbox.flush(client)
        assert await outbox.flush(client) == []  # read back once; then it waits
    assert checked.reconciled and checked.state == "uncertain"
    entry = outbox.get(outcome.entry.id)
    assert entry.state == "uncertain" and "orderDeliveredDate" in entry.answer  # what the order shows now
    assert not outbox.has_work(Target.of(client)) and sandbox.tracking_writes == []


def test_an_outbox_of_the_previous_schema_is_kept_and_readable_before_and_after_migrating(tmp_path):
    import sqlite3

    from pickterm.store.state import MIGRATIONS

    path = tmp_path / "state.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO outbox (order_id, payload, created_at) VALUES (?, ?, ?)",
        (ORDER_ON_ROUTE, json.dumps(MORNING.to_payload()), "2025-02-10T09:00:00Z"),
    )
    conn.commit()
    conn.close()
    with StateDB.open_readonly(path=path) as old:  # reading does not migrate
        [entry] = Outbox(old).list()
        assert entry.target is None and entry.payload == MORNING.to_payload()
    with StateDB.open(path=path) as db:
        assert db.schema_version == len(MIGRATIONS)
        [entry] = Outbox(db).list()
    assert entry.state == "pending" and entry.target is None


async def test_an_uncertain_write_cannot_be_edited_into_a_blind_resend(outbox):
    sandbox = Sandbox()
    async with client_for(sandbox, transport=LoseTheAnswer(sandbox)) as client:
        outcome = await outbox.submit(client, ORDER_WEIGHABLE, EVENT)
    with pytest.raises(OutboxError, match="may have been sent already"):
        outbox.update_payload(outcome.entry.id, EVENT)
    assert outbox.get(outcome.entry.id).state == "uncertain"


class BadTokenAnswer(httpx.AsyncBaseTransport):
    """The auth host fails to give a token (how: ``garbage``, ``timeout``, ``error``); the API works."""

    def __init__(self, sandbox: Sandbox, how: str) -> None:
        self.inner, self.how = sandbox.transport(), how

    async def handle_async_request(self, request):
        if request.url.path.endswith("/token"):
            if self.how == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            if self.how == "garbage":
                return httpx.Response(200, content=b"<html>gateway</html>", request=request)
            return httpx.Response(404, json={"message": "no such route"}, request=request)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("how", ["garbage", "timeout", "error"])
async def test_a_bad_token_answer_leaves_the_write_pending_never_may_have_been_sent(outbox, how):
    sandbox = Sandbox()
    async with client_for(sandbox, transport=BadTokenAnswer(sandbox, how)) as client:
        first = await outbox.submit(client, ORDER_WEIGHABLE, EVENT)
        second = outbox.add(ORDER_ON_ROUTE, MORNING, Target.of(client))
        assert first.state == "pending" and first.entry.status == "pending" and first.error is not None
        assert await outbox.flush(client) != []  # stops at the first: the second would meet the same
    assert patches(sandbox) == []  # the PATCH never left
    assert [e.status for e in outbox.list()] == ["pending", "pending"] and outbox.counts() == (2, 0, 0, 0)
    assert outbox.get(second.id).attempts == 0
    async with client_for(sandbox) as client:  # the auth host works again: both are sent, once
        assert [o.state for o in await outbox.flush(client)] == ["sent", "sent"]
    assert len(sandbox.tracking_writes) == 2

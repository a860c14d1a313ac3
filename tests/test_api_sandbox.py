"""Every client method against the embedded sandbox, as the app and the CLI use it."""

from __future__ import annotations

import asyncio

import pytest

from pickterm.api import errors
from pickterm.api.models import TrackingUpdate
from pickterm.connect import demo_client
from pickterm.sandbox import Sandbox

from apphelpers import no_sleep


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox()


def sample(sandbox: Sandbox, kind: str, label_part: str) -> str:
    for ident, label in sandbox.samples()[kind]:
        if label_part in label:
            return ident
    raise AssertionError(f"no {kind} sample labelled {label_part!r}")


async def test_every_method_against_the_sandbox(sandbox):
    async with demo_client(sandbox) as client:
        order_id = sample(sandbox, "orders", "two worksheets")
        order = await client.get_order(order_id)
        assert order.order_id == order_id and order.all_items()
        sheets = await client.list_worksheets(order_id)
        assert len(sheets) == 2
        sheet = await client.get_worksheet(sheets[0].worksheet_id)
        assert order_id in sheet.order_ids and sheet.items
        facility = await client.get_facility(sheet.facility_id)
        assert facility.name and facility.address_lines()
        shipments = await client.list_shipments(sample(sandbox, "orders", "order, delivered"))
        assert shipments
        by_uuid = await client.get_shipment(shipments[0].id, by="internal")
        by_tracking = await client.get_shipment(shipments[0].service_id, by="external")
        assert by_uuid.id == by_tracking.id
    assert sandbox.token_requests == 1


async def test_tracking_write_marks_an_invoiced_order_delivered(sandbox):
    order_id = sample(sandbox, "orders", "mark it delivered")
    update = TrackingUpdate.model_validate(
        {
            "deliveredDate": "2026-11-28T10:00:00Z",
            "events": [
                {"city": "Medellín", "state": "ANT", "description": "Delivered", "date": "2026-11-28T09:58:00Z"}
            ],
        }
    )
    async with demo_client(sandbox) as client:
        before = await client.get_order(order_id)
        result = await client.set_order_delivery(order_id, update)
        after = await client.get_order(order_id)  # not served from the cache of `before`
    assert result.order_id == order_id
    assert sandbox.tracking_writes == [(order_id, update.to_payload())]
    assert after.model_dump(by_alias=True) != before.model_dump(by_alias=True)


async def test_not_invoiced_order_is_refused_with_ora0001b(sandbox):
    order_id = sample(sandbox, "orders", "not invoiced")
    async with demo_client(sandbox) as client:
        with pytest.raises(errors.NotFoundError) as info:
            await client.set_order_delivery(order_id, TrackingUpdate(delivered_date="2026-11-28T10:00:00Z"))
    assert info.value.code == "ORA0001B"
    assert info.value.request_id
    assert "invoiced" in str(info.value)
    assert sandbox.tracking_writes == []


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda c: c.get_worksheet("999999999999"), "WORK0001B"),
        (lambda c: c.get_facility("0" * 32), "FAC0001B"),
        (lambda c: c.get_shipment("CO0000000000", by="external"), "TRP0005E"),
    ],
)
async def test_not_found_codes(sandbox, call, code):
    async with demo_client(sandbox) as client:
        with pytest.raises(errors.NotFoundError) as info:
            await call(client)
    assert info.value.code == code and info.value.request_id


async def test_sandbox_token_expiry_is_renewed_transparently():
    now = [1_000_000.0]
    sandbox = Sandbox(clock=lambda: now[0], token_ttl=60)
    order_id = sandbox.samples()["orders"][0][0]
    async with demo_client(sandbox, cache_seconds=0) as client:
        await client.get_order(order_id)
        sandbox.expire_tokens()  # the server forgets the token early: 403 EXPIRED_TOKEN
        await client.get_order(order_id)
    assert sandbox.token_requests == 2


async def test_fifty_concurrent_calls_one_token_against_the_sandbox(sandbox):
    order_ids = [ident for ident, _ in sandbox.samples()["orders"]]
    async with demo_client(sandbox, max_concurrency=100) as client:
        await asyncio.gather(*(client.get_order(order_ids[i % len(order_ids)], fresh=True) for i in range(50)))
    assert sandbox.token_requests == 1


async def test_server_failures_surface_as_server_errors():
    sandbox = Sandbox(fail_rate=1.0)
    async with demo_client(sandbox, sleep=no_sleep) as client:
        with pytest.raises(errors.ServerError):
            await client.get_order("1509750516095-01")

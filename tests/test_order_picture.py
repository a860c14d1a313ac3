"""An order's whole picture (order, worksheets, shipments, facility) in one round trip when its
facility is known ahead, through a transport that records when each request starts; and the
facility cache of the local store. Counted, never timed."""

from __future__ import annotations

import asyncio

import httpx

from pickterm import resolve
from pickterm.api import PickPackClient
from pickterm.resolve import order_picture
from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox, data
from pickterm.store.state import FACILITY_TTL

KINDS = {"orders": "order", "worksheets": "worksheets", "shipments": "shipments", "facilities": "facility"}
YIELDS = 20  # a request waits this many turns of the loop before its answer: concurrent ones all start first


class Waves(httpx.AsyncBaseTransport):
    """The sandbox in-process. Records, for every request, how many answers had come back when it
    started: requests sent together share that number (one round trip), a request that needed
    an earlier answer has a higher one."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = sandbox.transport()
        self.answered = 0
        self.started: list[tuple[str, int]] = []  # (what, answers before it)
        self.in_flight = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        what = "token" if path.endswith("/token") else KINDS[path.split("/prod/v1/")[1].split("/")[0]]
        self.started.append((what, self.answered))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            for _ in range(YIELDS):
                await asyncio.sleep(0)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1
            self.answered += 1

    def round_trips(self) -> int:
        """How many rounds the API requests (not the token) took."""
        return len({before for what, before in self.started if what != "token"})

    def asked(self) -> list[str]:
        return sorted(what for what, _before in self.started)


def client_for(transport: Waves) -> PickPackClient:
    return PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport, profile="demo")


async def test_a_known_facility_makes_the_whole_picture_one_round_trip():
    transport = Waves(Sandbox())
    async with client_for(transport) as client:
        await client.get_token()
        picture = await order_picture(client, data.ORDER_ON_ROUTE, facility_hint=data.FACILITY_MDE)
    assert picture.order.order_id == data.ORDER_ON_ROUTE
    assert picture.facility is not None and picture.facility.id == data.FACILITY_MDE
    assert len(picture.shipments) == 2 and picture.worksheets
    assert transport.asked() == ["facility", "order", "shipments", "token", "worksheets"]
    assert transport.round_trips() == 1 and transport.peak == 4  # all four asked together


async def test_a_cold_client_fetches_its_token_once_for_the_four_requests():
    transport = Waves(Sandbox())
    async with client_for(transport) as client:
        await order_picture(client, data.ORDER_ON_ROUTE, facility_hint=data.FACILITY_MDE)
        assert client.token_requests == 1
    assert [what for what, _ in transport.started].count("token") == 1
    assert transport.round_trips() == 1  # the four wait for the one token together, then go together


async def test_an_unknown_facility_is_asked_once_the_worksheets_name_it():
    transport = Waves(Sandbox())
    async with client_for(transport) as client:
        await client.get_token()
        picture = await order_picture(client, data.ORDER_ON_ROUTE)
    assert picture.facility is not None and picture.facility.id == data.FACILITY_MDE
    assert transport.round_trips() == 2
    assert transport.asked().count("facility") == 1


async def test_a_cached_facility_costs_no_request_and_f5_asks_for_it_with_the_order(store):
    transport = Waves(Sandbox())
    async with client_for(transport) as client:
        await client.get_token()
        await order_picture(client, data.ORDER_ON_ROUTE, state=store)  # learns the facility
        await asyncio.gather(*resolve._BACKGROUND)  # the cache write, which the picture does not wait for
        facility_id, body = store.facility_ahead()
        assert facility_id == data.FACILITY_MDE and body["id"] == data.FACILITY_MDE

        transport.started.clear()
        picture = await order_picture(client, data.ORDER_ON_ROUTE, state=store, fresh=True)
        assert picture.facility.id == data.FACILITY_MDE
        assert transport.round_trips() == 1 and "facility" in transport.asked()  # F5: asked, with the order

        transport.started.clear()
        picture = await order_picture(client, data.ORDER_ON_ROUTE, state=store)
        assert picture.facility.id == data.FACILITY_MDE and picture.facility.name
        assert "facility" not in transport.asked()  # from the store: known ahead, no default needed


async def test_a_failing_worksheet_list_leaves_the_order_readable():
    sandbox = Sandbox()
    transport = Waves(sandbox)
    async with client_for(transport) as client:
        await client.get_token()
        original = client.list_worksheets

        async def broken(order_id, *, fresh=False):
            await original(order_id, fresh=fresh)
            raise RuntimeError("the worksheets are unreadable")

        client.list_worksheets = broken  # type: ignore[method-assign]
        picture = await order_picture(client, data.ORDER_ON_ROUTE)
    assert picture.order.order_id == data.ORDER_ON_ROUTE
    assert picture.worksheets is None and isinstance(picture.worksheets_error, RuntimeError)
    assert picture.facility is None and len(picture.shipments) == 2


def test_the_facility_cache_keeps_a_day(store):
    store.cache_facility("F1", {"id": "F1", "name": "Roma Norte"}, now=1000.0)
    assert store.facility_ahead("F1", now=1000.0 + FACILITY_TTL - 1) == ("F1", {"id": "F1", "name": "Roma Norte"})
    assert store.facility_ahead("F1", now=1000.0 + FACILITY_TTL + 1) == ("F1", None)  # too old: asked again
    assert store.facility_ahead(None, now=1001.0) == ("F1", {"id": "F1", "name": "Roma Norte"})  # the last one
    store.cache_facility("F2", {"id": "F2"}, now=2000.0)
    assert store.facility_ahead(None, now=2001.0) == ("F2", {"id": "F2"})
    assert store.facility_ahead("F9", now=2001.0) == ("F9", None)  # the default, not cached yet

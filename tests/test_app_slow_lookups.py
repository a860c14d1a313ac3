"""A slow answer holds nothing up: a lookup abandoned on home, or a refresh (F5) overtaken by the
next one, is cancelled with its request, and its late answer never shows under another id."""

from __future__ import annotations

import asyncio

import httpx
from textual.widgets import Input

from pickterm.api import PickPackClient
from pickterm.app import PickTermApp
from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox, data, serve_in_thread
from pickterm.screens.lookup import LookupScreen

from apphelpers import notifications, settle, static_text, until


class HeldTransport(httpx.AsyncBaseTransport):
    """The sandbox in-process, except that requests whose path holds one of ``held`` wait for
    ``release`` (never set unless a test sets it). Records what was asked, and which held
    requests were cancelled (the client stopped waiting for them)."""

    def __init__(self, sandbox: Sandbox, *held: str) -> None:
        self.inner = sandbox.transport()
        self.held = set(held)
        self.release = asyncio.Event()
        self.paths: list[str] = []
        self.cancelled: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(path)
        if any(ident in path for ident in self.held):
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.append(path)
                raise
        return await self.inner.handle_async_request(request)


def held_app(*held: str) -> tuple[PickTermApp, HeldTransport]:
    sandbox = Sandbox()
    transport = HeldTransport(sandbox, *held)
    client = PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport, profile="demo")
    return PickTermApp(demo=True, sandbox=sandbox, client=client), transport


async def type_id(pilot, ident: str) -> None:
    """Type an id into home's field and press Enter, as a person does."""
    await pilot.press(*ident, "enter")
    await pilot.pause()


async def test_escape_abandons_a_slow_lookup_and_the_next_id_opens_at_once():
    slow, fast = data.ORDER_COP, data.ORDER_REPLACED
    app, transport = held_app(slow)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await type_id(pilot, slow)
        await until(pilot, lambda: f"/prod/v1/orders/{slow}" in transport.paths, "the slow order was asked for")
        assert f"→ Order {slow}…" in static_text(app, "#lookup-understood")
        await pilot.press("escape")
        await pilot.pause()
        assert "✘ Not opened: " + slow in notifications(app)
        assert app.screen.query_one("#lookup-input", Input).value == ""
        await type_id(pilot, fast)
        await settle(pilot)  # nothing is left waiting: the abandoned lookup was cancelled
        assert type(app.screen).__name__ == "OrderScreen" and app.screen.order_id == fast
        assert transport.cancelled == [f"/prod/v1/orders/{slow}"]  # its request was stopped, not left to retry
        assert [p for p in transport.paths if slow in p] == [f"/prod/v1/orders/{slow}"]
        assert "Not counted" not in notifications(app)
        await pilot.press("f2")
        await settle(pilot)
        assert not app.screen.query_one("#error-panel").display  # no error of the abandoned id


async def test_an_abandoned_lookup_answering_late_opens_nothing():
    slow, fast = data.ORDER_COP, data.ORDER_REPLACED
    app, transport = held_app(slow)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LookupScreen)
        await type_id(pilot, slow)
        await until(pilot, lambda: f"/prod/v1/orders/{slow}" in transport.paths, "the slow order was asked for")
        await pilot.press("escape")
        transport.release.set()  # the answer comes all the same, right after Esc
        await settle(pilot)
        assert app.screen is screen  # home still: the abandoned id did not open
        assert "Not opened: " + slow in notifications(app)
        await type_id(pilot, fast)
        await settle(pilot)
        assert app.screen.order_id == fast


async def test_a_lookup_abandoned_on_a_slow_loopback_server_stops_its_requests():
    sandbox = Sandbox()
    with serve_in_thread(sandbox) as server:
        client = PickPackClient(f"{server.url}/prod/v1", f"{server.url}/prod", DEMO_API_KEY, timeout=30)
        app = PickTermApp(demo=True, sandbox=Sandbox(), client=client)
        async with app.run_test(size=(40, 16)) as pilot:
            await settle(pilot)
            await client.get_token()  # the token first, quickly
            sandbox.latency_ms = 20_000  # from now on far longer than the client waits
            await type_id(pilot, data.ORDER_COP)
            await until(pilot, lambda: sandbox.in_flight >= 1, "the slow requests reached the server")
            await pilot.press("escape")
            sandbox.latency_ms = 0  # from now on the server answers at once
            await type_id(pilot, data.ORDER_REPLACED)
            await until(pilot, lambda: type(app.screen).__name__ == "OrderScreen", "the next order opened")
            await settle(pilot)
            assert app.screen.order_id == data.ORDER_REPLACED
            await until(pilot, lambda: sandbox.in_flight == 0, "the abandoned requests were dropped")
            asked = [r.path for r in sandbox.requests if data.ORDER_COP in r.path]
            assert asked == []  # the server never answered the abandoned id: every request dropped unprocessed


class Offline(httpx.AsyncBaseTransport):
    """The sandbox in-process while ``up``; a connection refused while not."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = sandbox.transport()
        self.up = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def no_wait(_seconds: float) -> None:
    """The client's backoff between retries, without the wait."""


async def test_f5_on_home_retries_the_lookup_that_failed_as_its_error_says():
    sandbox = Sandbox()
    transport = Offline(sandbox)
    client = PickPackClient(
        DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport, sleep=no_wait, profile="demo"
    )
    app = PickTermApp(demo=True, sandbox=sandbox, client=client)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        transport.up = False
        await type_id(pilot, data.ORDER_COP)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert "Check the connection; F5 retries." in static_text(app, "#error-panel")
        transport.up = True  # the Wi-Fi is back
        await pilot.press("f5")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen" and app.screen.order_id == data.ORDER_COP


async def test_f5_on_home_retries_only_the_last_failed_lookup():
    sandbox = Sandbox()
    transport = Offline(sandbox)
    client = PickPackClient(
        DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport, sleep=no_wait, profile="demo"
    )
    app = PickTermApp(demo=True, sandbox=sandbox, client=client)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        transport.up = False
        await type_id(pilot, data.ORDER_COP)
        await settle(pilot)
        await type_id(pilot, data.ORDER_REPLACED)  # replaces the id: this one failed last
        await settle(pilot)
        transport.up = True
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.order_id == data.ORDER_REPLACED


async def test_a_slow_refresh_is_cancelled_by_the_next_and_only_the_newest_shows():
    order_id = data.ORDER_COP
    app, transport = held_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.open("order", order_id)
        await settle(pilot)
        screen = app.screen
        body = screen.query_one("#body")
        transport.held = {order_id}  # from now on the server is slow to answer the order
        await pilot.press("f5")
        path = f"/prod/v1/orders/{order_id}"
        await until(pilot, lambda: transport.paths.count(path) == 2, "the first refresh asked")  # (the first load too)
        await pilot.press("f5")  # the picker presses again: the first one must not hold this one up
        await until(pilot, lambda: transport.paths.count(path) == 3, "the second refresh asked at once")
        await until(pilot, lambda: transport.cancelled, "the first refresh was cancelled")
        await pilot.pause()
        assert transport.cancelled == [f"/prod/v1/orders/{order_id}"]
        assert body.loading  # still loading: the newest refresh has not answered
        transport.held = set()
        transport.release.set()
        await settle(pilot)
        assert not body.loading
        assert app.screen is screen and order_id in str(screen.query_one("#order-details").render())

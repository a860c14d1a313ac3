"""Snapshots of the shipments, shipment, tracking, outbox and setup screens at 40x16 and 80x24.

Deterministic: local time is UTC, the tracking form's "now" is frozen, outbox entries
get a fixed creation time and a refusal with a fixed requestId, and the demo data's
dates are fixed.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest
from textual.widgets import Input

from pickterm.api.errors import NotFoundError
from pickterm.api.models import TrackingUpdate
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.tracking import TrackingScreen

SIZES = [(40, 16), (80, 24)]
NOW = datetime(2025, 2, 11, 12, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(TrackingScreen, "clock", staticmethod(lambda: NOW))
    monkeypatch.setattr("pickterm.store.outbox.now_iso", lambda: "2025-02-11T12:31:00.000+00:00")
    yield
    monkeypatch.undo()
    time.tzset()


async def settle(pilot, timeout: float = 5.0) -> None:
    app = pilot.app
    await app.ready()
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "outbox" and not w.is_finished]
        if not busy:
            break
        assert asyncio.get_running_loop().time() < deadline, f"still busy: {busy}"
        await asyncio.sleep(0.01)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


class Refusing:
    """A client whose tracking write is refused the way the server refuses a not-invoiced order."""

    async def set_order_delivery(self, order_id, update):
        raise NotFoundError("The order must be invoiced to update the status to delivered", status=404,
                            code="ORA0001B", request_id="3f1d9c52-8a0e-4b7f-9e21-6c5d0a7b4e18")


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_shipments(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_shipments(data.ORDER_ON_ROUTE)
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_shipment_delivered(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_shipment(data.TRACK_DELIVERED, by="external")
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_shipment_timeline_with_auto_refresh_on(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_shipment(data.SHIP_DELIVERED)
        await settle(pilot)
        await pilot.press("a")
        timeline = pilot.app.screen.query_one("#section-timeline")
        pilot.app.screen.query_one("#body").scroll_to_widget(timeline, animate=False, top=True)
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_tracking_form(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_tracking(data.ORDER_NOT_INVOICED)
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Ciudad de México", "tab", *"CDMX", "tab")  # description left empty
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_tracking_form_invalid_date(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_tracking(data.ORDER_ON_ROUTE)
        await settle(pilot)
        pilot.app.focused.value = "2025-02-30 10:00"
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_outbox(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        refused = app.outbox.add(data.ORDER_NOT_INVOICED, TrackingUpdate(delivered_date="2025-02-11T12:30:00Z"))
        await app.outbox.send(refused.id, Refusing())
        app.outbox.add(data.ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T12:00:00Z"))
        app.open_outbox()
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["40x16", "80x24"])
def test_setup(snap_compare, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"secret-key-1234")  # shown masked
        await settle(pilot)

    assert snap_compare(PickTermApp(), terminal_size=size, run_before=run_before)

"""Snapshots of the shipments, shipment, tracking, outbox and setup screens at 40x16 and 80x24.

Deterministic: local time is UTC, the tracking form's "now" is frozen, outbox entries
get a fixed creation time and a refusal with a fixed requestId, the demo data's
dates are fixed, and text cursors have stopped blinking when the picture is taken.
"""

from __future__ import annotations

import pytest

from pickterm.api.errors import NotFoundError
from pickterm.api.models import TrackingUpdate
from pickterm.app import PickTermApp
from pickterm.sandbox import DEMO_API_URL, DEMO_AUTH_URL, data
from pickterm.store.outbox import Target

from apphelpers import open_screen, opening, settle, still

SIZES = [pytest.param((40, 16), id="40x16"), pytest.param((80, 24), id="80x24")]


@pytest.fixture(autouse=True)
def frozen_time(utc, frozen_now, monkeypatch):
    monkeypatch.setattr("pickterm.store.outbox.now_iso", lambda: "2025-02-11T12:31:00.000+00:00")


def steady(run_before):
    """``run_before``, then the text cursors stop blinking (and stay shown) for the picture."""

    async def steadied(pilot) -> None:
        await run_before(pilot)
        await still(pilot)

    return steadied


class Refusing:
    """A client whose tracking write is refused the way the server refuses a not-invoiced order."""

    profile, api_url, auth_url = "demo", DEMO_API_URL, DEMO_AUTH_URL

    async def set_order_delivery(self, order_id, update):
        raise NotFoundError(
            "The order must be invoiced to update the status to delivered",
            status=404,
            code="ORA0001B",
            request_id="3f1d9c52-8a0e-4b7f-9e21-6c5d0a7b4e18",
        )


@pytest.mark.parametrize("size", SIZES)
def test_shipments(snap_compare, size):
    assert snap_compare(
        PickTermApp(demo=True), terminal_size=size, run_before=steady(opening("shipments", data.ORDER_ON_ROUTE))
    )


@pytest.mark.parametrize("size", SIZES)
def test_shipment_delivered(snap_compare, size):
    assert snap_compare(
        PickTermApp(demo=True),
        terminal_size=size,
        run_before=steady(opening("shipment", data.TRACK_DELIVERED, by="external")),
    )


@pytest.mark.parametrize("size", SIZES)
def test_shipment_timeline_with_auto_refresh_on(snap_compare, size):
    @steady
    async def run_before(pilot):
        screen = await open_screen(pilot, "shipment", data.SHIP_DELIVERED)
        await pilot.press("a")
        screen.query_one("#body").scroll_to_widget(screen.query_one("#section-timeline"), animate=False, top=True)
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tracking_form(snap_compare, size):
    @steady
    async def run_before(pilot):
        await open_screen(pilot, "track", data.ORDER_NOT_INVOICED)
        await pilot.press("ctrl+n")
        await pilot.press(*"Ciudad de México", "tab", *"CDMX", "tab")  # description left empty
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_tracking_form_invalid_date(snap_compare, size):
    @steady
    async def run_before(pilot):
        await open_screen(pilot, "track", data.ORDER_ON_ROUTE)
        pilot.app.focused.value = "2025-02-30 10:00"
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_outbox(snap_compare, size):
    @steady
    async def run_before(pilot):
        await settle(pilot)
        outbox = pilot.app.outbox
        target = Target.of(Refusing())
        refused = outbox.add(data.ORDER_NOT_INVOICED, TrackingUpdate(delivered_date="2025-02-11T12:30:00Z"), target)
        await outbox.send(refused.id, Refusing())
        outbox.add(data.ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T12:00:00Z"), target)
        await open_screen(pilot, "outbox")

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare, size):
    @steady
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"secret-key-1234")  # shown masked
        await settle(pilot)

    assert snap_compare(PickTermApp(), terminal_size=size, run_before=run_before)

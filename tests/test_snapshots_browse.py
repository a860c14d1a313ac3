"""Snapshots of the browsing screens (lookup, order, worksheets, facility) at 40x16 and 80x24.

The demo data are fixed; dates are shown in local time, so these tests run in UTC.
"""

from __future__ import annotations

import pytest

from pickterm.app import PickTermApp
from pickterm.sandbox import data

from apphelpers import open_screen, opening, settle, still

SIZES = [pytest.param((40, 16), id="40x16"), pytest.param((80, 24), id="80x24")]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.mark.parametrize("size", SIZES)
def test_lookup(snap_compare, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await still(pilot)  # the input's cursor shown, whatever the load: not in its blink's off phase

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


def test_lookup_with_recent_lookups_and_the_list_focused(snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for ident in (data.ORDER_COP, data.TRACK_INCIDENT):
            pilot.app.screen.query_one("#lookup-input").value = ident
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(PickTermApp(demo=True), terminal_size=(40, 16), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_order_with_rejected_and_replaced_items(snap_compare, size):
    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=opening("order", data.ORDER_REPLACED))


@pytest.mark.parametrize("size", SIZES)
def test_order_scrolled_to_its_items(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_screen(pilot, "order", data.ORDER_WEIGHABLE)
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


def test_order_side_by_side_from_120_columns(snap_compare):
    assert snap_compare(
        PickTermApp(demo=True), terminal_size=(130, 30), run_before=opening("order", data.ORDER_NOT_INVOICED)
    )


@pytest.mark.parametrize("size", SIZES)
def test_worksheets_with_an_empty_one(snap_compare, size):
    assert snap_compare(
        PickTermApp(demo=True), terminal_size=size, run_before=opening("worksheets", data.ORDER_EMPTY_WORKSHEET)
    )


@pytest.mark.parametrize("size", SIZES)
def test_facility(snap_compare, size):
    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=opening("facility", data.FACILITY_CDMX))


@pytest.mark.parametrize("size", SIZES)
def test_help_of_the_order_screen(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_screen(pilot, "order", data.ORDER_REPLACED)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)

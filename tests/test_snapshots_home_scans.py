"""Snapshots of home after a product barcode was scanned, and of an order with notes.

The demo data are fixed; dates are shown in local time, so these tests run in UTC.
"""

from __future__ import annotations

import pytest

from pickterm.app import PickTermApp
from pickterm.sandbox import data

from apphelpers import opening, settle, wedge

SIZES = [pytest.param((40, 16), id="40x16"), pytest.param((80, 24), id="80x24")]

pytestmark = pytest.mark.usefixtures("utc")


@pytest.mark.parametrize("size", SIZES)
def test_home_after_a_product_barcode_that_may_be_an_order_id(snap_compare, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await wedge(pilot, data.ORDER_DELIVERED.removesuffix("-01"))  # a valid EAN-13 as well
        await settle(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_order_with_notes(snap_compare, size):
    assert snap_compare(
        PickTermApp(demo=True), terminal_size=size, run_before=opening("order", data.ORDER_NOT_INVOICED)
    )

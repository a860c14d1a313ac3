"""Shipments of an order and one shipment in full, against the demo sandbox."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.shipment import MIN_REFRESH_SECONDS, ShipmentScreen
from pickterm.screens.shipments import ShipmentsScreen

from apphelpers import open_screen, settle, text_of


def shipment_gets(app: PickTermApp) -> int:
    return sum(1 for r in app.sandbox.requests if r.method == "GET" and "/shipments/" in r.path)


async def test_order_to_shipments_to_one_shipment():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", data.ORDER_ON_ROUTE)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ShipmentsScreen)
        listed = text_of(screen)
        # Both shipments of the order: status word and symbol, carrier, tracking number, counts.
        assert "✘ INCIDENT" in listed and "▶ ON_ROUTE" in listed
        assert data.TRACK_INCIDENT in listed and data.TRACK_ON_ROUTE in listed
        assert "Pickterm Fleet" in listed
        assert "1 package" in listed and "items" in listed
        assert "2 shipments, 0 delivered" in listed
        # Enter opens the highlighted (first) one.
        first = screen.choices.get_option_at_index(screen.choices.highlighted).id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ShipmentScreen)
        assert app.screen.shipment_id == first and app.screen.by == "internal"
        assert app.screen.data.order_id == data.ORDER_ON_ROUTE
        # Down, then Enter: the second one.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.shipment_id != first
        assert app.screen.data.order_id == data.ORDER_ON_ROUTE


async def test_delivered_date_is_listed():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "shipments", data.ORDER_DELIVERED)
        listed = text_of(app.screen)
        assert "✔ DELIVERED" in listed and "Rápido Express" in listed
        assert "delivered: 2025-02-10" in listed
        assert "1 shipment, 1 delivered" in listed


async def test_an_order_without_shipments_says_so():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "shipments", data.ORDER_WEIGHABLE)
        assert "No shipments for this order yet." in text_of(app.screen)
        await pilot.press("enter")  # nothing to open: stays
        await settle(pilot)
        assert isinstance(app.screen, ShipmentsScreen)


async def test_tracking_number_typed_at_home_opens_the_shipment():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.screen.query_one("#lookup-input", Input).value = data.TRACK_DELIVERED
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ShipmentScreen)
        assert screen.by == "external"
        assert screen.data.id == data.SHIP_DELIVERED
        assert "✔ DELIVERED" in text_of(screen)
        request = [r for r in app.sandbox.requests if "/shipments/" in r.path][-1]
        assert request.headers["X-PNP-FilterMethod"] == "BY_EXTERNAL_ID"


async def test_delivered_shipment_shows_timeline_packages_and_labels():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "shipment", data.SHIP_DELIVERED, by="internal")
        shown = text_of(app.screen)
        for expected in (
            "Rápido Express",
            "LOCAL · PICKUP_DELIVERY",
            "Courier 1977157",
            "SCOOTER",
            f"https://tracking.sandbox.pickterm.invalid/t/{data.TRACK_DELIVERED}",
            "Roma Norte dark store",
            "Customer 516095",
            # notes with their type as a word, evidences, in date order
            "• COMMENT",
            "✘ ERROR",
            "▣ EVIDENCE IMAGE",
            "Doorbell broken, customer called",
            f"{data.TRACK_DELIVERED}-signature.jpg",
            f"{data.TRACK_DELIVERED}-door.jpg",
            # packages: dimensions, weight, items
            "BOX M",
            "W 40 × L 60 × H 30",
            "weight 3.2",
            # labels
            "PDF Shipping label",
            "ZPL Thermal label",
            f"/labels/{data.TRACK_DELIVERED}.pdf",
        ):
            assert expected in shown, expected
        # Server text is data: the note's brackets are shown, not interpreted.
        assert "Handle with care: [b]fragile[/b]" in shown
        order = [
            shown.index(text)
            for text in (
                "Handle with care",
                "Doorbell broken",
                "-signature.jpg",
                "-door.jpg",
                "Delivered to the concierge",
            )
        ]
        assert order == sorted(order)
        items = data.demo_state().shipments[data.SHIP_DELIVERED]["packages"][0]["items"]
        for item in items:
            assert f"{item['quantity']:g} × {item['name']}" in shown


async def test_unknown_shipment_shows_the_server_error():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "shipment", "NOSUCH0000", by="external")
        panel = str(app.screen.error_panel.render())
        assert "Shipment not found" in panel and "TRP0005E" in panel and "requestId" in panel


async def test_auto_refresh_toggle_polls_fresh_every_30_seconds_at_most():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_screen(pilot, "shipment", data.SHIP_ON_ROUTE)
        line = screen.query_one("#auto-refresh", Static)
        assert "auto-refresh every 30 s: off" in str(line.render())
        assert screen.refresh_timer is None
        intervals: list[float] = []
        real = screen.set_interval

        def recording(interval, callback=None, **kwargs):
            intervals.append(interval)
            return real(interval, callback, **kwargs)

        screen.set_interval = recording
        await pilot.press("a")
        assert intervals == [30.0]
        assert screen.refresh_timer is not None
        assert "auto-refresh every 30 s: on" in str(line.render())
        # Each poll asks the server again (fresh), even inside the 30 s cache.
        before = shipment_gets(app)
        screen.refresh_timer._callback()  # what the timer calls
        await settle(pilot)
        assert shipment_gets(app) == before + 1
        # Off again: the timer is stopped.
        timer = screen.refresh_timer
        await pilot.press("a")
        assert screen.refresh_timer is None and timer._task is None
        assert "auto-refresh every 30 s: off" in str(line.render())


async def test_auto_refresh_never_polls_faster_than_30_seconds():
    assert MIN_REFRESH_SECONDS == 30
    assert ShipmentScreen("x", refresh_seconds=5).refresh_seconds == 30
    assert ShipmentScreen("x", refresh_seconds=0).refresh_seconds == 30
    assert ShipmentScreen("x", refresh_seconds=90).refresh_seconds == 90
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = ShipmentScreen(data.SHIP_ON_ROUTE, refresh_seconds=1)
        await app.push_screen(screen)
        await settle(pilot)
        await pilot.press("a")
        assert screen.refresh_timer is not None
        assert "every 30 s" in str(screen.query_one("#auto-refresh", Static).render())


async def test_shipment_links_to_its_order():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "shipment", data.TRACK_ON_ROUTE, by="external")
        await pilot.press("o")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_ON_ROUTE


def several_packages_app(count: int = 3) -> tuple[PickTermApp, list[str]]:
    """The delivered demo shipment with ``count`` packages, each item named after its box; and
    the item lines the screen must show, in order."""
    import copy

    from pickterm.connect import demo_client
    from pickterm.sandbox import Sandbox

    sandbox = Sandbox()
    shipment = sandbox._shipments[data.SHIP_DELIVERED]
    first = shipment["packages"][0]
    packages = []
    for n in range(1, count + 1):
        package = copy.deepcopy(first)
        package["id"] = f"{first['id']}-{n}"
        for item in package["items"]:
            item["name"] = f"{item['name']} (box {n})"
        packages.append(package)
    shipment["packages"] = packages
    lines = [
        f"{item['quantity']:g} × {item['name']}" + (f" EAN {item['ean']}" if item.get("ean") else "")
        for package in packages
        for item in package["items"]
    ]
    return PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox)), lines


@pytest.mark.parametrize("size", [(120, 40), (160, 50), (80, 24)])
async def test_every_package_line_is_shown_down_to_the_last(size):
    app, lines = several_packages_app()
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, "shipment", data.SHIP_DELIVERED, by="internal")
        body = app.screen.query_one("#body")
        shown = list(app.screen.query("#shipment-packages .line").results(Static))
        texts = [" ".join(str(line.render()).split()) for line in shown]
        assert [text for text in texts if " EAN " in text] == lines
        cut = []
        for line, text in zip(shown, texts, strict=True):
            while line.region.bottom > body.region.bottom and body.scroll_y < body.max_scroll_y:
                await pilot.press("down")  # scrolled to, as a packer reads on
                await settle(pilot)
            # What the terminal shows on each row of the line is that line.
            rows = range(line.region.y, line.region.bottom)
            if any(app.screen.get_widget_at(line.region.x, y)[0] is not line for y in rows):
                cut.append(text)
        assert cut == []

"""The order screen: details, items by state, packages, payment, and its keys."""

from __future__ import annotations

import httpx
import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from pickterm.app import PickTermApp
from pickterm.sandbox import Sandbox, data
from pickterm.screens.lookup import LookupScreen

from apphelpers import notifications, open_screen, settle, static_text, terminal_text, text_of


async def open_order(pilot, order_id: str) -> None:
    screen = await open_screen(pilot, "order", order_id)
    assert type(screen).__name__ == "OrderScreen"


async def test_order_details_status_times_and_invoice():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        details = static_text(app, "#order-details")
        assert f"Order: {data.ORDER_REPLACED}" in details
        assert "Sequence: 516107" in details
        assert "Status: ✔ PACKED" in details
        assert "Picking: 28 min" in details and "Packing: 11.2 min" in details and "Shipping: 0 min" in details
        assert "Invoiced: ✔ yes" in details
        assert "Invoice: key-51610701 · $949.40" in details
        for label in ("Created: 2025-02-", "Updated: 2025-02-", "Ship by: 2025-02-"):
            assert label in details
        assert "PACKED" in static_text(app, "#header-subtitle")


async def test_items_grouped_with_reasons_replacements_ean_and_prices():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        shown = text_of(app.screen)
        assert "0 to pick · 5 picked · 2 rejected · 1 replaced" in shown
        assert "Picked (5)" in shown and "Rejected (2)" in shown and "Replaced (1)" in shown
        assert "To pick (" not in shown
        # Rejected items with their reasons.
        assert (
            "Smoked salmon 200g\n1 of 1 · EAN 7508562676174 · $189.90\nreason: out-of-stock — No stock on shelf 14B"
            in shown
        )
        assert "reason: damaged — Torn sleeve" in shown
        # The replaced item names what replaced it (resolved from the replacedBy id).
        assert "Greek yogurt, natural 1 kg" in shown
        assert "replaced by: Greek yogurt, natural 900g" in shown
        assert "replaced by: 207" not in shown
        # Packages with their status and item names.
        assert "Packages (1)" in shown
        assert "✔ PACKED\n4395d087-c05a-55ab-a2e4-304e5a7d80dc" in shown
        assert "· Extra virgin olive oil 750 ml\n· Laundry detergent, liquid 3 L" in shown
        # Payment.
        assert "Credit card · MXN" in shown
        assert "transaction: 2DAC45ABD77656DEB406A851E0410511" in shown


async def test_not_invoiced_order_and_server_text_with_brackets():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_NOT_INVOICED)
        details = static_text(app, "#order-details")
        assert "Invoiced: ✘ not invoiced" in details
        assert "Invoice:" not in details
        shown = text_of(app.screen)
        assert "Tomatoes [organic] 500g\n2 of 2 · EAN 8401841642909 · $34.50" in shown
        assert "Packages (0)\nnone yet" in shown
        # What is on the terminal, not only in the widgets.
        await pilot.press("pagedown")
        await pilot.pause()
        assert "Tomatoes [organic] 500g" in terminal_text(app)


async def test_weighable_items_show_weight_unit_and_line_price():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_WEIGHABLE)
        shown = text_of(app.screen)
        assert "Serrano ham, sliced to order (per kg)\n1 of 1 · 0.2 kilograms · EAN 2001234000000 · $119.80" in shown
        assert "Bananas, loose (approx. 500 g each)\n2 of 2 · 0.5 kilograms · EAN 7507138298987 · $14.95" in shown


async def test_prices_use_the_order_currency():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_COP)
        shown = text_of(app.screen)
        # COP: no decimals, dot as the group separator.
        assert "Free-range eggs, 12 pack\n2 of 2 · EAN 7791286502526 · $10.980" in shown
        assert "Invoice: key-51623001 · $75.880" in shown


async def test_long_orders_scroll_with_the_keyboard():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_TWO_WORKSHEETS)
        body = app.screen.query_one("#body", VerticalScroll)
        assert app.focused is body
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert "Facility: Roma Norte dark store" in terminal_text(app)  # the last row (narrow: after the items)


async def test_narrow_screen_says_the_keys_and_wide_screen_shows_two_panes():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        keys = app.screen.query_one("#order-keys", Static)
        assert keys.display and "w worksheets · s shipments · t tracking · f facility" in str(keys.render())
        await pilot.resize_terminal(130, 30)
        await pilot.pause()
        assert not keys.display
        details = app.screen.query_one("#order-details").region
        items = app.screen.query_one("#order-items").region
        assert items.x > details.right - 1 and items.y == details.y


async def test_keys_open_worksheets_shipments_and_tracking_of_the_order():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_ON_ROUTE)
        calls = []
        app.open = lambda *args, **kw: calls.append((args, kw))
        await pilot.press("w", "s", "t")
        assert calls == [
            (("worksheets", data.ORDER_ON_ROUTE), {}),
            (("shipments", data.ORDER_ON_ROUTE), {}),
            (("track", data.ORDER_ON_ROUTE), {}),
        ]


async def test_f_opens_the_facility_of_the_first_worksheet():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_ON_ROUTE)
        await pilot.press("f")
        await settle(pilot)
        assert type(app.screen).__name__ == "FacilityScreen"
        assert app.screen.facility_id == data.FACILITY_MDE


async def test_f_says_so_when_no_worksheet_names_a_facility():
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    client = demo_client(sandbox)

    async def no_worksheets(order_id, *, fresh=False):
        return []

    client.list_worksheets = no_worksheets
    app = PickTermApp(demo=True, sandbox=sandbox, client=client)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_COP)
        await pilot.press("f")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert "No worksheet of this order names a facility" in notifications(app)


async def test_f5_fetches_the_order_again():
    from pickterm.api.models import TrackingUpdate
    from pickterm.connect import demo_client

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_ON_ROUTE)
        assert "Status: ▶ PACKED" not in static_text(app, "#order-details")
        assert "Status: ✔ PACKED" in static_text(app, "#order-details")
        # Somebody else marks the order delivered.
        async with demo_client(app.sandbox) as other:
            await other.set_order_delivery(data.ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"))
        await pilot.press("f5")
        await settle(pilot)
        details = static_text(app, "#order-details")
        assert "Status: ✔ COMPLETED" in details
        assert "Delivered: 2025-02-11" in details


async def test_escape_while_loading_leaves_and_stops_the_load():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.latency_ms = 5000
        app.open("order", data.ORDER_REPLACED)
        await pilot.pause()
        order_screen = app.screen
        assert order_screen.query_one("#body").loading
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        loads = [w for w in app.workers if w.node is order_screen]
        assert all(w.is_cancelled or w.is_finished for w in loads)


async def test_palette_lists_the_order_actions():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Worksheets", "Shipments", "Tracking", "Facility", "Refresh"):
            assert title in titles


async def test_an_order_that_does_not_exist_shows_the_error_panel():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", "1000000000000-01")
        panel = static_text(app, "#error-panel")
        assert "Order not found" in panel and "ORD0002B" in panel and "requestId" in panel
        assert "Items" not in text_of(app.screen).replace(panel, "")


async def test_order_notes_show_first_and_literally():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_NOT_INVOICED)
        notes = app.screen.query_one("#order-notes")
        assert notes.display
        shown = text_of(app.screen, "#order-notes Static")
        assert shown.startswith(
            "Notes (1)\nWine glasses, set of 4: [b]fragile[/b] wrap each glass in paper\nCOMMENT · picker.roma01 · "
        )
        # On the terminal, under the status line and above the items and details, without scrolling.
        screen_text = terminal_text(app)
        assert "[b]fragile[/b] wrap each" in screen_text
        assert screen_text.index("✘ not invoiced") < screen_text.index("Notes (1)")
        assert "Order: " not in screen_text  # the details come after the items on a handheld


async def test_a_handheld_reads_the_status_then_the_items_and_the_times_after_them():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        screen_text = terminal_text(app)
        status = text_of(app.screen, "#order-status")
        lines = [line for line in screen_text.splitlines() if line.strip()]
        assert lines[1].startswith(status.split(" · ")[0])  # the first line under the header
        assert "Items" in screen_text and "Created: " not in screen_text
        body = app.screen.query_one("#body")
        ids = [child.id for child in body.children]
        assert ids.index("order-items") < ids.index("order-details")
        await pilot.resize_terminal(100, 30)  # a packer's terminal: the details first, as before
        await pilot.pause()
        ids = [child.id for child in body.children]
        assert ids.index("order-details") < ids.index("order-items")
        assert not app.screen.query_one("#order-status").display


async def test_an_order_without_notes_shows_no_notes_section():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_REPLACED)
        assert not app.screen.query_one("#order-notes").display
        assert "Notes" not in text_of(app.screen)


class NotedOrders:
    """The demo client, answering orders with notes the contract does not have (a newer server)."""

    def __init__(self, client) -> None:
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    async def get_order(self, order_id, **kwargs):
        from pickterm.api.models import Order

        body = (await self.client.get_order(order_id, **kwargs)).model_dump(mode="json", by_alias=True)
        body["notes"] = [{"type": "COMMENT", "content": "Call before delivery [red]now[/red]", "author": "ops"}]
        body["unhandledItems"][0]["notes"] = ["ring twice"]
        return Order.model_validate(body)


async def test_notes_the_server_sends_on_the_order_and_its_items_show_too():
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    app = PickTermApp(demo=True, sandbox=sandbox, client=NotedOrders(demo_client(sandbox)))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_order(pilot, data.ORDER_COP)
        shown = text_of(app.screen, "#order-notes Static")
        assert "Notes (2)" in shown
        assert "Call before delivery [red]now[/red]\nCOMMENT · ops" in shown
        assert ": ring twice" in shown


async def test_notes_that_cannot_be_read_are_said_and_the_order_still_shows():
    sandbox = Sandbox()
    sandbox.forbidden.add(data.WS_MDE)
    from pickterm.connect import demo_client

    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_COP)
        assert "The notes of its worksheets could not be read" in text_of(app.screen, "#order-notes Static")
        assert f"Order: {data.ORDER_COP}" in static_text(app, "#order-details")


async def test_f5_reads_the_notes_again_too():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_order(pilot, data.ORDER_NOT_INVOICED)

        def worksheet_reads() -> int:
            return sum(1 for r in app.sandbox.requests if r.path.endswith(f"/worksheets/{data.WS_MAIN}"))

        before = worksheet_reads()
        await pilot.press("f5")
        await settle(pilot)
        assert worksheet_reads() == before + 1  # not served from the 30 s cache
        assert "Notes (1)" in text_of(app.screen, "#order-notes Static")


def test_notes_of_unexpected_shapes_are_read_tolerantly():
    from pickterm.screens.order import note_blocks, note_fields

    assert note_fields({"content": "x", "date": 5, "author": None}) == ("", "x", "", "5")
    assert note_fields("plain") == ("", "plain", "", "")
    assert note_fields(42) == ("", "", "", "")
    shown = [str(text) for _, text in note_blocks([(None, 42), ("Item", {"type": "ERROR", "date": "not a date"})])]
    assert shown == ["Notes (2)", "-", "Item: -\nERROR · not a date"]


class AnswersAnother(httpx.AsyncBaseTransport):
    """A server that answers for order ``other`` whenever order ``asked`` is asked for."""

    def __init__(self, sandbox: Sandbox, asked: str, other: str) -> None:
        self.inner, self.asked, self.other = sandbox.transport(), asked, other

    async def handle_async_request(self, request):
        url = str(request.url).replace(self.asked, self.other)
        swapped = httpx.Request(request.method, url, headers=request.headers, content=await request.aread())
        return await self.inner.handle_async_request(swapped)


def confused_app(asked: str, other: str) -> PickTermApp:
    from pickterm.api import PickPackClient
    from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL

    sandbox = Sandbox()
    transport = AnswersAnother(sandbox, asked, other)
    client = PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport, profile="demo")
    return PickTermApp(demo=True, sandbox=sandbox, client=client)


@pytest.mark.parametrize("size", [(40, 16), (80, 24)])
async def test_an_answer_for_another_order_is_refused_not_shown_under_this_orders_title(size):
    app = confused_app(data.ORDER_WEIGHABLE, data.ORDER_REPLACED)
    async with app.run_test(size=size) as pilot:
        await open_screen(pilot, "order", data.ORDER_WEIGHABLE)
        panel = " ".join(static_text(app, "#error-panel").split())
        assert "Invalid response" in panel
        assert f"the server answered for another order ({data.ORDER_REPLACED})" in panel
        shown = text_of(app.screen)
        assert f"Order: {data.ORDER_REPLACED}" not in shown and "PACKED" not in shown
        assert "Items" not in shown.replace(static_text(app, "#error-panel"), "")


async def test_the_tracking_form_refuses_an_answer_for_another_order():
    app = confused_app(data.ORDER_ON_ROUTE, data.ORDER_DELIVERED)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "track", data.ORDER_ON_ROUTE)
        shown = " ".join(terminal_text(app).split())
        assert f"the server answered for another order ({data.ORDER_DELIVERED})" in shown
        delivered = app.sandbox.order(data.ORDER_DELIVERED).get("deliveredDate")
        assert delivered and delivered[:10] not in shown

"""The worksheets of an order: every worksheet (empty ones too), Enter to open, f for the facility."""

from __future__ import annotations

from textual.widgets import OptionList

from pickterm.app import PickTermApp
from pickterm.sandbox import data

from apphelpers import open_screen, settle, static_text


def entries(app) -> list[str]:
    return [str(option.prompt) for option in app.screen.query_one("#worksheets-list", OptionList).options]


async def open_worksheets(pilot, order_id: str) -> None:
    screen = await open_screen(pilot, "worksheets", order_id)
    assert type(screen).__name__ == "WorksheetsScreen"


async def test_every_worksheet_with_status_units_progress_window_and_facility():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, data.ORDER_EMPTY_WORKSHEET)
        main, empty = entries(app)
        lines = main.split("\n")
        assert lines[:3] == [f"{data.WS_MAIN}  ▶ IN_PROGRESS", "38 items · 69 units", "completed 4/69 · packed 0/69"]
        assert lines[3].startswith("window: 2025-02-1")  # local time of 2025-02-11T16:32Z
        assert lines[4] == "facility: Roma Norte dark store"
        # The empty worksheet (a known VTEX race) is listed, and said to be empty.
        assert empty.startswith(f"{data.WS_EMPTY}  … PENDING\nempty — no items (known VTEX race)")
        assert "facility: Roma Norte dark store" in empty
        summary = static_text(app, "#worksheets-summary")
        assert summary == "2 worksheets, 1 empty"


async def test_enter_opens_the_highlighted_worksheet():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, data.ORDER_TWO_WORKSHEETS)
        opened = []
        app.open = lambda kind, ident: opened.append((kind, ident))
        assert app.focused is app.screen.query_one("#worksheets-list", OptionList)
        await pilot.press("enter")
        await pilot.press("down", "enter")
        await pilot.press("down", "enter")  # stays on the last one: no wrap-around
        assert opened == [("worksheet", data.WS_MAIN), ("worksheet", data.WS_FROZEN), ("worksheet", data.WS_FROZEN)]


async def test_enter_pushes_the_walkthrough():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, data.ORDER_COP)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "WalkthroughScreen"


async def test_order_to_worksheets_to_facility_and_back():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", data.ORDER_COP)
        await pilot.press("w")
        await settle(pilot)
        assert type(app.screen).__name__ == "WorksheetsScreen"
        assert entries(app)[0].startswith(data.WS_MDE)
        assert "facility: El Poblado warehouse" in entries(app)[0]
        await pilot.press("f")
        await settle(pilot)
        assert type(app.screen).__name__ == "FacilityScreen"
        assert app.screen.facility_id == data.FACILITY_MDE
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "OrderScreen"


async def test_an_order_without_worksheets_says_so():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, "1000000000000-01")
        assert entries(app) == []
        assert static_text(app, "#worksheets-summary") == "No worksheets for this order yet."


async def test_facility_that_cannot_be_read_is_shown_by_its_id():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.sandbox.forbidden.add(data.FACILITY_MDE)
        await open_worksheets(pilot, data.ORDER_ON_ROUTE)
        assert f"facility: {data.FACILITY_MDE}" in entries(app)[0]


async def test_f5_reloads_the_list():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, data.ORDER_REPLACED)
        before = len(app.sandbox.requests)
        await pilot.press("f5")
        await settle(pilot)
        paths = [record.path for record in app.sandbox.requests[before:]]
        assert any("/worksheets?orderId=" in path for path in paths)
        assert entries(app)[0].startswith(f"{data.WS_DONE}  ✔ COMPLETED")


async def test_local_progress_shows_beside_the_server_counts():
    from apphelpers import wedge

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_worksheets(pilot, data.ORDER_EMPTY_WORKSHEET)
        assert "here:" not in entries(app)[0]  # nothing recorded on this terminal yet
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        await walk.barcodes_loaded.wait()
        await wedge(pilot, walk.model.current.ean)  # spinach: 1 unit
        await pilot.press("f8")  # bananas skipped
        await pilot.press("f9", "down", "enter")  # avocados short
        await pilot.pause()
        await pilot.press("f3")
        await settle(pilot)
        lines = entries(app)[0].split("\n")
        assert lines[2] == "completed 4/69 · packed 0/69"  # the server's counts...
        assert lines[3] == "here: 1 unit picked · 1 short · 1 skipped"  # ...and this terminal's

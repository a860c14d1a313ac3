"""Scans at home: a new scan replaces the old id, Tab ends a scan when the profile says so,
several ids in one burst, and a scan while the list has the focus."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from textual import events
from textual.widgets import Input, OptionList

from pickterm.app import PickTermApp
from pickterm.sandbox import Sandbox, data
from pickterm.screens.lookup import LookupScreen

from apphelpers import SPINACH, ean, key_name, notifications, settle, static_text, wedge


async def burst(pilot, codes, terminator: str = "enter") -> None:
    """Several scans in one read (as after an SSH stall): every key of every code at once."""
    app = pilot.app
    for code in codes:
        for char in code:
            app.post_message(events.Key(key_name(char), char))
        app.post_message(events.Key(terminator, {"enter": "\r", "tab": "\t"}[terminator]))
    await pilot.pause()


def field(app: PickTermApp) -> Input:
    return app.screen.query_one("#lookup-input", Input)


async def test_a_scan_after_f2_replaces_the_old_id():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await wedge(pilot, data.ORDER_REPLACED)
        await settle(pilot)
        assert app.screen.order_id == data.ORDER_REPLACED
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        await wedge(pilot, data.ORDER_WEIGHABLE)
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_WEIGHABLE


async def test_a_scan_after_back_replaces_the_old_id():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await wedge(pilot, data.WS_FROZEN)
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await wedge(pilot, data.ORDER_COP)
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_COP


async def test_the_tab_terminator_ends_a_scan_at_home(tmp_path):
    from pickterm.connect import demo_client
    from pickterm.store.config import Settings

    sandbox = Sandbox()
    settings = Settings(config_path=tmp_path / "config.toml", scan_terminator="tab")
    app = PickTermApp(settings=settings, client=demo_client(sandbox), sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await wedge(pilot, data.ORDER_COP, "tab")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_COP
        await pilot.press("f2")
        await settle(pilot)
        await wedge(pilot, data.ORDER_REPLACED, "tab")
        await settle(pilot)
        assert app.screen.order_id == data.ORDER_REPLACED


async def test_without_the_tab_terminator_tab_moves_the_focus():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await wedge(pilot, data.ORDER_COP, "tab")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.focused is app.screen.query_one("#lookup-list")


class GatedClient:
    """The demo client, except that orders are answered only once ``gate`` is set: a slow network."""

    def __init__(self, client) -> None:
        self.client = client
        self.gate = asyncio.Event()

    def __getattr__(self, name):
        return getattr(self.client, name)

    async def get_order(self, *args, **kwargs):
        await self.gate.wait()
        return await self.client.get_order(*args, **kwargs)


async def test_ids_scanned_while_one_is_looked_up_are_not_counted_and_the_first_opens():
    # Rule: one lookup at a time at home. The first id is what was scanned at home; the others
    # arrived for a screen that was not there yet: reported, never appended, never guessed at.
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    client = GatedClient(demo_client(sandbox))
    app = PickTermApp(demo=True, sandbox=sandbox, client=client)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await burst(pilot, (data.ORDER_REPLACED, data.ORDER_WEIGHABLE, data.ORDER_COP))
        for _ in range(3):
            await pilot.pause()
        shown = notifications(app)
        assert f"Not counted: {data.ORDER_WEIGHABLE}" in shown
        assert f"Not counted: {data.ORDER_COP}" in shown
        client.gate.set()
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_REPLACED
        assert len(app.screen_stack) == 2  # home and one screen opened, not three
        await pilot.press("f2")
        await settle(pilot)
        home = field(app)
        assert home.value and home.selected_text == home.value  # the next scan replaces what is there


@pytest.mark.parametrize("count", [2, 5, 20])
@pytest.mark.parametrize("terminator", ["enter", "tab"])
async def test_a_burst_of_ids_at_home_opens_the_first_and_reports_each_other_one(tmp_path, count, terminator):
    from pickterm.connect import demo_client
    from pickterm.store.config import Settings

    sandbox = Sandbox()
    settings = Settings(config_path=tmp_path / "config.toml", scan_terminator=terminator)
    app = PickTermApp(settings=settings, client=demo_client(sandbox), sandbox=sandbox)
    ids = [data.ORDER_COP] + [f"{1509000000000 + n}-01" for n in range(count - 1)]
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await burst(pilot, ids, terminator)
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_COP
        assert len(app.screen_stack) == 2
        shown = notifications(app)
        for ident in ids[1:]:
            assert f"Not counted: {ident}." in shown
        assert "".join(ids[:2]) not in shown  # never two ids run together


async def test_a_scan_while_the_list_has_the_focus_opens_what_it_identifies():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await wedge(pilot, data.ORDER_COP)
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert app.screen.order_id == data.ORDER_COP


async def test_a_product_barcode_at_home_says_so_and_offers_the_worksheet_opened_here_that_holds_it():
    sandbox = Sandbox()
    app = PickTermApp(demo=True, sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        code = ean(sandbox, SPINACH)
        # Nothing opened on this terminal yet: a product barcode, and nothing to offer.
        await wedge(pilot, code)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        said = static_text(app, "#lookup-understood")
        assert "product barcode (EAN-13)" in said
        assert "No worksheet opened here holds it" in said
        choices = app.screen.query_one("#lookup-list", OptionList)
        assert str(choices.get_option_at_index(0).prompt) == f"Barcode {code}"
        assert "look up as tracking no." in str(choices.get_option_at_index(1).prompt)  # the only offer
        await pilot.press("down", "enter")  # a numeric tracking number after all? Not in the sandbox.
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert "not found" in static_text(app, "#error-panel")
        # The main worksheet is opened here (its walk is saved locally), and one unit picked.
        await wedge(pilot, data.WS_MAIN)
        await settle(pilot)
        assert type(app.screen).__name__ == "WalkthroughScreen"
        await pilot.press("f2")
        await settle(pilot)
        await wedge(pilot, code)
        await settle(pilot)
        said = static_text(app, "#lookup-understood")
        assert "product barcode (EAN-13)" in said and "Held by a worksheet opened here" in said
        assert "Or the order" not in said
        offered = str(choices.get_option_at_index(1).prompt)
        assert data.WS_MAIN in offered and "Baby spinach 200g · 1 left" in offered
        await pilot.press("down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "WalkthroughScreen"
        assert app.screen.worksheet_id == data.WS_MAIN


async def test_an_order_id_without_its_suffix_gets_a_hint():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        bare = data.ORDER_REPLACED.removesuffix("-01")  # no valid check digit: looked up as tracking no.
        await wedge(pilot, bare)
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert f"An order id ends in -NN: try {bare}-01" in static_text(app, "#error-panel")
        # One that happens to carry a valid EAN-13 check digit is a product barcode; the order is offered.
        bare = data.ORDER_DELIVERED.removesuffix("-01")
        await wedge(pilot, bare)
        await settle(pilot)
        said = static_text(app, "#lookup-understood")
        assert "product barcode" in said and f"Or the order {data.ORDER_DELIVERED}?" in said
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.order_id == data.ORDER_DELIVERED


def test_the_lookup_service_does_not_import_textual():
    code = "import sys, pickterm.resolve, pickterm.ids; print(any(m.startswith('textual') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


async def test_a_scan_split_across_two_reads_opens_once_whole():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        for char in data.ORDER_COP[:7]:
            app.post_message(events.Key(char, char))
        await pilot.pause()
        await wedge(pilot, data.ORDER_COP[7:])
        await settle(pilot)
        assert app.screen.order_id == data.ORDER_COP
        assert notifications(app) == ""


async def test_twelve_digits_that_are_no_worksheet_but_a_upc_a_say_it_is_a_product_barcode():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await wedge(pilot, "036000291452")  # a valid UPC-A, no worksheet id
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert "036000291452 is a product barcode (UPC-A)" in static_text(app, "#lookup-understood")
        # Twelve digits with a bad check digit stay a worksheet that is not found.
        await wedge(pilot, "036000291453")
        await settle(pilot)
        assert "not found" in static_text(app, "#error-panel")
        assert "Not opened: Worksheet 036000291453" in static_text(app, "#lookup-understood")

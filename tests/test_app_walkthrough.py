"""The picker's walkthrough on the sandbox: scans, blocking errors, keys, dialogs, resume.

Scans are typed key by key (``pilot.press``) where the typing is the point, and
otherwise sent the way a wedge scanner sends them: every key at once, then Enter.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Digits, Input, OptionList

from pickterm.app import PickTermApp
from pickterm.sandbox import Sandbox, data
from pickterm.screens import walkthrough_dialogs
from pickterm.screens.walkthrough import WalkthroughScreen
from pickterm.screens.walkthrough_dialogs import ItemListDialog, ScanErrorDialog, ShortReasonDialog, SummaryDialog
from pickterm.store import database as store_database

from apphelpers import BANANAS, SPINACH, dialog_text, ean, open_screen, open_walk, static_text, units, walk, wedge

HAM = "401"  # weighable, sold by a scale label
SCALE_LABEL_200G = "2001234002004"  # item code 01234 (the ham), 200 g


async def scan(pilot, code: str) -> None:
    """Type a scan key by key, then Enter."""
    await pilot.press(*code, "enter")
    await pilot.pause()


async def open_from_list(pilot, item_id: str) -> None:
    await pilot.press("f4")
    await pilot.pause()
    items = pilot.app.screen.query_one(OptionList)
    items.highlighted = next(n for n in range(items.option_count) if items.get_option_at_index(n).id == item_id)
    await pilot.press("enter")
    await pilot.pause()


def count_bells(app) -> list[int]:
    bells: list[int] = []
    app.bell = lambda: bells.append(1)
    return bells


async def test_the_current_item_is_readable_at_40x16():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        assert static_text(app, "#header-subtitle") == data.WS_MAIN
        assert static_text(app, "#walk-status") == "▶ IN_PROGRESS · Roma Norte dark store"
        assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
        assert static_text(app, "#item-name") == "Baby spinach 200g"
        assert screen.query_one("#item-left", Digits).value == "1"
        qty = static_text(app, "#item-qty-text")
        assert "to pick" in qty and "server: 0 of 1 picked" in qty
        assert static_text(app, "#item-where") == "COLD · Fruits & Vegetables"
        assert static_text(app, "#item-orders") == f"→ {data.ORDER_NOT_INVOICED} ×1"
        assert static_text(app, "#item-server").startswith(f"EAN {ean(app.sandbox, SPINACH)}")
        assert "Cold items last; use the blue crates" in static_text(app, "#walk-feedback")  # the worksheet's note
        assert isinstance(app.focused, Input) and app.focused.id == "scan"
        # Everything the picker needs fits on the handheld's screen, above the scan field.
        field = screen.query_one("#scan")
        for selector in ("#walk-progress", "#item-name", "#item-left", "#item-where", "#item-orders", "#item-server"):
            region = screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= field.region.y, selector
        assert field.region.bottom <= 15
        # An item for several orders says how many units go to each.
        await open_from_list(pilot, "201")
        assert static_text(app, "#item-name") == "Whole milk 1 L"
        assert static_text(app, "#item-orders").splitlines() == [
            f"→ {data.ORDER_NOT_INVOICED} ×3",
            f"→ {data.ORDER_WEIGHABLE} ×2",
            f"→ {data.ORDER_TWO_WORKSHEETS} ×1",
        ]
        assert screen.query_one("#item-orders").region.bottom <= field.region.y
        # Eggs: one of two units is already picked on the server, one is left.
        await open_from_list(pilot, "203")
        assert "server: 1 of 2 picked" in static_text(app, "#item-qty-text")
        assert screen.query_one("#item-left", Digits).value == "1"


async def test_the_right_ean_a_quantity_prefix_and_a_scale_label_count():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        await scan(pilot, ean(app.sandbox, SPINACH))
        assert units(app, SPINACH) == 1  # saved before it was acknowledged
        assert "✔ 1 × Baby spinach 200g" in static_text(app, "#walk-feedback")
        assert static_text(app, "#walk-progress") == "3/38 items · 5/69 units"
        assert static_text(app, "#item-name") == "Bananas, loose (approx. 500 g each)"  # done: moved on
        assert app.state.load_progress(data.WS_MAIN).current_item == BANANAS
        assert app.focused is screen.scan_field and screen.scan_field.value == ""
        # 2* before the code confirms two units.
        assert screen.query_one("#item-left", Digits).value == "2"
        await wedge(pilot, f"2*{ean(app.sandbox, BANANAS)}")
        assert units(app, BANANAS) == 2
        assert static_text(app, "#walk-progress") == "4/38 items · 7/69 units"
        # A scale label confirms the weighable item and records its weight.
        await open_from_list(pilot, HAM)
        assert static_text(app, "#item-name") == "Serrano ham, sliced to order (per kg)"
        assert "weighable" in static_text(app, "#item-where")
        await wedge(pilot, SCALE_LABEL_200G)
        assert "0.200 kg" in static_text(app, "#walk-feedback")
        saved = app.state.load_progress(data.WS_MAIN).item(HAM)
        assert saved.units == 1 and saved.weight_kg == pytest.approx(0.2)


async def test_bad_scans_block_until_esc_and_count_nothing(monkeypatch):
    # The flash outlasts the test: a slow machine must not see it end before it is checked.
    monkeypatch.setattr(walkthrough_dialogs, "FLASH_SECONDS", 60)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        bells = count_bells(app)
        milk = ean(app.sandbox, "201")
        cases = [
            ("8406125560666", "MISREAD", "Bad check digit"),
            ("4006381333931", "UNKNOWN CODE", "No item of this worksheet has this code"),
            (milk, "WRONG ITEM", "Whole milk 1 L"),
        ]
        for n, (code, title, says) in enumerate(cases):
            if n == 0:
                await scan(pilot, code)  # typed key by key
            else:
                await wedge(pilot, code)  # sent at once, as a scanner does
            dialog = app.screen
            assert isinstance(dialog, ScanErrorDialog), title
            assert len(bells) == 2 * n + 1 and dialog.query_one("#scan-error").has_class("-flash")
            shown = dialog_text(dialog)
            assert f"✘ {title}" in shown and f"Scanned {code}" in shown and says in shown
            assert "Expected Baby spinach 200g" in shown and ean(app.sandbox, SPINACH) in shown
            # A scan while blocked neither closes the error nor counts.
            await wedge(pilot, ean(app.sandbox, SPINACH))
            assert app.screen is dialog and len(bells) == 2 * n + 2
            assert f"Not counted: {ean(app.sandbox, SPINACH)}" in str(dialog.query_one("#scan-error-ignored").render())
            assert app.state.pick_events(data.WS_MAIN) == []
            # Acknowledged (Esc; F3, the global back key, too): back on the walkthrough, nothing counted.
            await pilot.press("escape" if n < 2 else "f3")
            await pilot.pause()
            screen = walk(app)
            assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
            assert app.focused is screen.scan_field
        # After acknowledging, the right scan counts again.
        await wedge(pilot, ean(app.sandbox, SPINACH))
        assert units(app, SPINACH) == 1


async def test_over_confirming_is_refused_undo_and_units_by_key():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        await wedge(pilot, f"3*{ean(app.sandbox, SPINACH)}")
        assert isinstance(app.screen, ScanErrorDialog)
        shown = dialog_text(app.screen)
        assert "TOO MANY" in shown and "needs only 1 more" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.state.pick_events(data.WS_MAIN) == []
        # Undo (F10) takes back the last confirmation and returns to its item.
        await wedge(pilot, ean(app.sandbox, SPINACH))
        assert static_text(app, "#item-name").startswith("Bananas")
        await pilot.press("f10")
        await pilot.pause()
        assert static_text(app, "#item-name") == "Baby spinach 200g" and "Undone" in static_text(app, "#walk-feedback")
        assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
        assert app.state.pick_events(data.WS_MAIN) == []
        await pilot.press("ctrl+z")  # the other undo key
        await pilot.pause()
        assert "Nothing to undo" in static_text(app, "#walk-feedback")
        # Units by key (ctrl+up / ctrl+down) or by typing + or - and Enter.
        await pilot.press("f7", "ctrl+up")  # bananas: 2 to pick
        await pilot.pause()
        assert screen.query_one("#item-left", Digits).value == "1"
        await pilot.press("ctrl+down")
        await wedge(pilot, "+")
        await wedge(pilot, "+")
        assert units(app, BANANAS) == 2
        assert static_text(app, "#item-name").startswith("Hass avocados")  # done: moved on
        await pilot.press("f6")
        await wedge(pilot, "-")
        assert units(app, BANANAS) == 1


async def test_skip_short_and_the_item_list():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        await pilot.press("f8")  # skip: spinach goes to the end
        await pilot.pause()
        assert static_text(app, "#item-name").startswith("Bananas") and "Skipped" in static_text(app, "#walk-feedback")
        await pilot.press("f9")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ShortReasonDialog)
        reasons = [str(o.prompt) for o in dialog.query_one(OptionList).options]
        assert reasons == ["1  out of stock", "2  damaged", "3  not found", "4  expired", "5  other"]
        await pilot.press("enter")  # a bare Enter chooses nothing
        await pilot.pause()
        assert app.screen is dialog and dialog.query_one(OptionList).highlighted is None
        await pilot.press("down", "down", "enter")  # damaged
        await pilot.pause()
        saved = app.state.load_progress(data.WS_MAIN).item(BANANAS)
        assert (saved.state, saved.reason) == ("short", "damaged")
        assert "Short" in static_text(app, "#walk-feedback") and static_text(app, "#item-name").startswith(
            "Hass avocados"
        )
        await pilot.press("f9", "escape")  # Esc cancels
        await pilot.pause()
        assert app.state.load_progress(data.WS_MAIN).item("102").state == "todo"
        await wedge(pilot, ean(app.sandbox, "102"))  # avocados: 1 of 3
        # The list: every item, its state as a symbol and a word, the current one marked.
        await pilot.press("f4")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ItemListDialog)
        options = dialog.query_one(OptionList)
        prompts = {o.id: str(o.prompt) for o in options.options}
        assert len(prompts) == 38
        assert list(prompts)[-1] == SPINACH and "» skipped" in prompts[SPINACH]
        assert "✘ short" in prompts[BANANAS]
        assert "◐ partial" in prompts["102"] and "▶" in prompts["102"]
        assert "○ to do" in prompts["201"]
        assert "✔ done" in prompts["601"]  # picked on the server already
        assert "Tomatoes [organic] 500g" in prompts["103"]  # names are text, never markup
        assert options.highlighted == list(prompts).index("102")
        # Any item opens from the list.
        options.highlighted = list(prompts).index(SPINACH)
        await pilot.press("enter")
        await pilot.pause()
        assert static_text(app, "#item-name") == "Baby spinach 200g"
        assert app.state.load_progress(data.WS_MAIN).current_item == SPINACH


async def test_a_skipped_item_is_not_settled_and_the_last_item_brings_the_complete_summary():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot, data.WS_FROZEN)
        model = screen.model
        first, second, *rest = model.walk
        await pilot.press("f8")  # skip the first
        await pilot.press("f9", "down", "enter")  # the second is out of stock
        await pilot.pause()
        for item_id in rest:
            item = model.items[item_id]
            await wedge(pilot, f"{item.left}*{item.ean}")
        # The skipped item is still to pick: no summary yet, the walk waits on it.
        assert app.screen is screen
        assert static_text(app, "#item-name") == model.items[first].name
        await pilot.press("f12")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SummaryDialog)
        summary = str(dialog.query_one("#summary-text").render())
        assert f"✔ {len(rest)} done" in summary
        assert "✘ 1 short" in summary and f"{model.items[second].name}: out of stock (0 of" in summary
        assert "» 1 skipped" in summary and model.items[first].name in summary
        assert "Not settled: 1 item still to pick (skipped included)." in summary
        assert "Every item is settled" not in summary and "complete" not in summary
        await pilot.press("escape")
        await pilot.pause()
        # The last open item done: the worksheet-complete summary appears by itself.
        skipped = model.items[first]
        await wedge(pilot, f"{skipped.left}*{skipped.ean}")
        dialog = app.screen
        assert isinstance(dialog, SummaryDialog)
        summary = str(dialog.query_one("#summary-text").render())
        assert dialog.query_one("#summary-dialog").border_title == "Worksheet complete"
        assert "Worksheet complete: every item is done or short." in summary and "saved on this terminal" in summary
        assert f"✔ {len(rest) + 1} done" in summary and "skipped" not in summary
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, SummaryDialog)


async def test_reopening_after_a_restart_lands_on_the_same_item_with_the_same_counts():
    first = PickTermApp(demo=True)
    async with first.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        await wedge(pilot, ean(first.sandbox, SPINACH))
        await wedge(pilot, ean(first.sandbox, BANANAS))
        await pilot.press("f8")  # bananas to the end
        await pilot.press("f7", "f7")
        await pilot.pause()
        where = static_text(first, "#item-name")
        progress = static_text(first, "#walk-progress")
        db_path = Path(first.state.path)
        # F5 fetches the worksheet and its orders again; the walk stays where it was.
        screen = walk(first)
        before = screen.model
        await pilot.press("f5")
        for _ in range(200):
            await pilot.pause(0.01)
            if screen.model is not before and screen.barcodes_loaded.is_set():
                break
        assert screen.model is not before
        await pilot.pause()
        assert (static_text(first, "#item-name"), static_text(first, "#walk-progress")) == (where, progress)
    # A second app, same state directory: as after a crash or a killed session.
    again = PickTermApp(demo=True)
    async with again.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        assert Path(again.state.path) == db_path
        assert static_text(again, "#item-name") == where
        assert static_text(again, "#walk-progress") == progress
        await pilot.press("f4")
        await pilot.pause()
        options = again.screen.query_one(OptionList)
        last = options.get_option_at_index(options.option_count - 1)
        assert last.id == BANANAS and "» skipped" in str(last.prompt)


async def test_the_item_shows_at_once_and_scans_wait_for_the_barcodes():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await app.ready()
        client = await app.client()
        gate = asyncio.Event()
        requested: list[str] = []
        real_get_order = client.get_order

        async def held_get_order(order_id: str, **kwargs):
            requested.append(order_id)
            await gate.wait()
            return await real_get_order(order_id, **kwargs)

        client.get_order = held_get_order
        app.open("worksheet", data.WS_MAIN)
        for _ in range(100):
            await pilot.pause()
            if walk(app).model is not None:
                break
        screen = walk(app)
        assert static_text(app, "#item-name") == "Baby spinach 200g"
        assert "Loading barcodes" in static_text(app, "#walk-feedback")
        # Every order is asked for at once, not one after the other.
        orders = [o["orderId"] for o in app.sandbox.worksheet(data.WS_MAIN)["ordersIds"]]
        assert len(orders) == 4 and sorted(requested) == sorted(orders)
        await wedge(pilot, ean(app.sandbox, SPINACH))
        await wedge(pilot, ean(app.sandbox, BANANAS))
        await wedge(pilot, "+")  # a unit by hand waits its turn too
        assert "3 scans waiting" in static_text(app, "#walk-feedback")
        assert app.state.pick_events(data.WS_MAIN) == []
        gate.set()
        await screen.barcodes_loaded.wait()
        await pilot.pause()
        events_ = app.state.pick_events(data.WS_MAIN)
        assert [(e.item_id, e.units) for e in events_] == [(SPINACH, 1), (BANANAS, 1), (BANANAS, 1)]
        assert static_text(app, "#walk-progress") == "4/38 items · 7/69 units"


async def test_every_action_has_a_key_in_the_palette_and_the_footer():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(130, 30)) as pilot:
        screen = await open_walk(pilot)
        names = {command.title for command in app.get_system_commands(screen)}
        for action in (
            "Items",
            "Previous item",
            "Next item",
            "Skip",
            "Short",
            "Undo",
            "Add a unit",
            "Remove a unit",
            "Summary",
            "Refresh",
        ):
            assert action in names
        footer = " ".join(str(w.render()) for w in screen.query("FooterKey, FooterLabel"))
        for word in ("Items", "Prev/Next", "Skip", "Short", "Undo", "±1 unit", "Summary"):
            assert word in footer
        # From 120 columns the walk is listed beside the item.
        assert screen.query_one("#walk-side").display and "Baby spinach 200g" in static_text(app, "#walk-side")


async def test_configured_scan_settings_and_an_order_that_fails_to_load(tmp_path):
    from pickterm.connect import demo_client
    from pickterm.store.config import Settings

    sandbox = Sandbox()
    sandbox.forbidden.add(data.ORDER_TWO_WORKSHEETS)  # its items' EANs cannot be fetched
    settings = Settings(config_path=tmp_path / "config.toml", scan_terminator="tab", scan_layout="price:2-7:7-12")
    app = PickTermApp(settings=settings, client=demo_client(sandbox), sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        assert screen.error_panel.display
        assert "Barcodes of 1 order are missing" in str(screen.error_panel.render())
        await wedge(pilot, ean(sandbox, SPINACH), "tab")  # this scanner ends codes with Tab
        assert units(app, SPINACH) == 1
        await open_from_list(pilot, HAM)
        await wedge(pilot, SCALE_LABEL_200G, "tab")  # a price label under this layout: no weight
        saved = app.state.load_progress(data.WS_MAIN).item(HAM)
        assert saved.units == 1 and saved.weight_kg is None
        # An item of the order that failed still scans by its SKU.
        await open_from_list(pilot, "602")
        await wedge(pilot, ean(sandbox, "602"), "tab")
        assert isinstance(app.screen, ScanErrorDialog) and "could not be loaded" in dialog_text(app.screen)
        await pilot.press("escape")
        await wedge(pilot, "602", "tab")
        assert units(app, "602") == 1


def test_many_orders_of_one_item_fit_in_three_lines():
    from pickterm.widgets.walk import split_content

    split = [(f"15097{n}0516095-01", n) for n in range(1, 6)]
    lines = str(split_content(split, max_lines=3)).splitlines()
    assert lines == ["→ 1509710516095-01 ×1", "→ 1509720516095-01 ×2", "+ 3 more orders, 12 units"]
    assert len(str(split_content(split, max_lines=6)).splitlines()) == 5


async def test_an_item_another_terminal_completed_first_is_refused_and_shows_the_stores_count():
    from pickterm.store.state import StateDB

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        assert static_text(app, "#item-name") == "Baby spinach 200g"  # 1 to pick
        assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
        with StateDB.open(path=app.state.path) as other:  # a second pickterm on the same store picks it
            other.add_pick(data.WS_MAIN, SPINACH, 1)
        bells = count_bells(app)
        await wedge(pilot, ean(app.sandbox, SPINACH))
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog) and bells
        shown = dialog_text(dialog)
        assert "ALREADY PICKED ELSEWHERE" in shown and "the store counts 1 of 1" in shown
        assert "Nothing was counted here" in shown
        assert len(app.state.pick_events(data.WS_MAIN)) == 1 and units(app, SPINACH) == 1
        await pilot.press("escape")
        await pilot.pause()
        # The walk counts what the store counts, and goes on to the next item.
        assert static_text(app, "#walk-progress") == "3/38 items · 5/69 units"
        assert static_text(app, "#item-name").startswith("Bananas")
        assert "Already picked elsewhere" in static_text(app, "#walk-feedback")


async def test_undo_takes_back_every_kind_of_action_newest_first():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        model = screen.model
        avocados = "102"  # 3 to pick
        await open_from_list(pilot, avocados)
        await wedge(pilot, f"2*{ean(app.sandbox, avocados)}")  # 2 of 3
        await pilot.press("ctrl+up")  # the third by key: done, on to the next item
        await pilot.pause()
        assert units(app, avocados) == 3
        await open_from_list(pilot, BANANAS)
        await pilot.press("f8")  # skip the bananas
        await pilot.pause()
        after = model.current_id
        await pilot.press("f9", "down", "enter")  # short the next one: out of stock
        await pilot.pause()
        state = lambda item_id: app.state.load_progress(data.WS_MAIN).item(item_id)  # noqa: E731
        assert state(after).state == "short" and state(BANANAS).state == "skipped"
        # F10 takes back the short, then the skip, then the unit by key, then the scan.
        await pilot.press("f10")
        await pilot.pause()
        assert state(after).state == "todo" and model.current_id == after
        assert state(BANANAS).state == "skipped" and "Undone" in static_text(app, "#walk-feedback")
        await pilot.press("f10")
        await pilot.pause()
        assert state(BANANAS).state == "todo" and model.current_id == BANANAS
        assert model.walk.index(BANANAS) < model.walk.index(after)  # back in its place on the path
        assert units(app, avocados) == 3
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert units(app, avocados) == 2 and model.current_id == avocados
        await pilot.press("f10")
        await pilot.pause()
        assert units(app, avocados) == 0 and app.state.pick_events(data.WS_MAIN) == []
        await pilot.press("f10")
        await pilot.pause()
        assert "Nothing to undo" in static_text(app, "#walk-feedback")
        assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"


async def test_a_weighed_item_shows_its_weight_and_a_wrong_label_blocks():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        await open_from_list(pilot, HAM)
        assert "weighable, expect 0.200 kg" in static_text(app, "#item-where")
        shown_code = static_text(app, "#item-server").split(" ")[1]
        assert shown_code == "2001234000000"
        # The code the screen shows is a 0 g label: refused, whatever the tolerance.
        await wedge(pilot, shown_code)
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        shown = dialog_text(dialog)
        assert "ZERO WEIGHT" in shown and "0.000 kg" in shown and "0.200 kg" in shown
        await pilot.press("f3")
        await pilot.pause()
        # Outside ±10%: expected against scanned.
        from pickterm.scan import DEFAULT_LAYOUT

        await wedge(pilot, DEFAULT_LAYOUT.build("01234", 500))
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        shown = dialog_text(dialog)
        assert "WRONG WEIGHT" in shown and "label 0.500 kg" in shown and "0.200 kg (0.180-0.220 kg)" in shown
        await pilot.press("f3")
        await pilot.pause()
        assert app.state.pick_events(data.WS_MAIN) == []
        # Within the tolerance: counted, with what the label says.
        await wedge(pilot, DEFAULT_LAYOUT.build("01234", 215))
        saved = app.state.load_progress(data.WS_MAIN).item(HAM)
        assert saved.units == 1 and saved.weight_kg == pytest.approx(0.215)


async def test_the_weight_tolerance_is_a_profile_setting(tmp_path):
    from pickterm.connect import demo_client
    from pickterm.scan import DEFAULT_LAYOUT
    from pickterm.store.config import load_settings, save_setting

    path = tmp_path / "config.toml"
    save_setting("scan_weight_tolerance", "50", path=path)
    settings = load_settings(path=path, env={})
    assert settings.scan_weight_tolerance == 50 and settings.scan_burst_ms == 30
    sandbox = Sandbox()
    app = PickTermApp(settings=settings, client=demo_client(sandbox), sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        await open_from_list(pilot, HAM)
        await wedge(pilot, DEFAULT_LAYOUT.build("01234", 290))  # 0.290 kg: within ±50% of 0.200
        assert app.state.load_progress(data.WS_MAIN).item(HAM).weight_kg == pytest.approx(0.29)


async def test_notes_reach_the_picker_literally():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        # The worksheet's note greets the walk; every note is in the summary.
        assert static_text(app, "#walk-feedback") == "✎ Note: Cold items last; use the blue crates (+1 more: F12)"
        await pilot.press("f12")
        await pilot.pause()
        summary = str(app.screen.query_one("#summary-text").render())
        assert "✎ Cold items last; use the blue crates" in summary
        assert "✎ Scanner 3 battery low [replace before 14:00]" in summary  # text, never markup
        await pilot.press("escape")
        await pilot.pause()
        # An item's note is on its card, as the server wrote it.
        assert not screen.query_one("#item-notes").display
        await open_from_list(pilot, "804")
        notes = screen.query_one("#item-notes")
        assert notes.display and static_text(app, "#item-notes") == "✎ [b]fragile[/b] wrap each glass in paper"
        field = screen.query_one("#scan")
        for selector in ("#item-name", "#item-notes", "#item-left", "#item-server"):
            region = screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= field.region.y, selector


async def test_a_note_sent_as_one_text_or_a_number_still_opens_the_walk():
    """An order source's ``notes`` is whatever the server sends: one text is one note, a number
    none; the walk opens either way."""
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    items = {item["id"]: item for item in sandbox._worksheets[data.WS_MAIN]["items"]}
    items["804"]["orderSource"][0]["notes"] = "wrap each glass in paper"
    items["103"]["orderSource"][0]["notes"] = 7
    app = PickTermApp(client=demo_client(sandbox), sandbox=sandbox)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_screen(pilot, "worksheet", data.WS_MAIN)
        assert isinstance(screen, WalkthroughScreen) and static_text(app, "#item-name")  # the first item shows
        await screen.barcodes_loaded.wait()
        await open_from_list(pilot, "804")
        assert static_text(app, "#item-notes") == "✎ wrap each glass in paper"
        await open_from_list(pilot, "103")
        assert not screen.query_one("#item-notes").display


async def test_the_walk_names_the_key_that_helps_as_the_screen_has_it():
    """The walk logic names no key; the screen adds the key in effect (here the item list's)."""
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "worksheet", data.WS_MAIN)
        assert isinstance(screen, WalkthroughScreen)
        for _ in range(2):
            await pilot.press("f6")  # before the first item: "First item"
            await pilot.pause()
        shown = static_text(app, "#walk-feedback")
        assert "First item" in shown and "F4 lists every item." in shown


# ---------------------------------------------------------------- another pickterm holds the store

HOLD_SCRIPT = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()  # until the test lets go (or closes the pipe)
conn.execute("ROLLBACK")
"""


class HeldStore:
    """Another process holding the store's write lock (``BEGIN IMMEDIATE``) until ``release()``."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD_SCRIPT, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(10)


def stored_units(path: Path, item_id: str, worksheet_id: str = data.WS_MAIN) -> int:
    """What the store counts for an item, read on a connection of its own (never the app's)."""
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(units), 0) FROM pick_event WHERE worksheet_id = ? AND item_id = ?",
            (worksheet_id, item_id),
        ).fetchone()
    return int(row[0])


async def until(pilot, condition, what: str, seconds: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (fails after ``seconds``, far more than needed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, f"never happened: {what}"
        await pilot.pause(0.02)


async def walk_idle(pilot, screen: WalkthroughScreen, seconds: float = 10.0) -> None:
    """Let the app run until the walk has done every queued action (fails after ``seconds``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while screen.working:
        assert loop.time() < deadline, "the walk's queue never emptied"
        await pilot.pause(0.02)
    await pilot.pause()


async def test_a_scan_while_another_pickterm_holds_the_store_waits_and_the_screen_goes_on(
    monkeypatch, pause_waits_for_saves
):
    pause_waits_for_saves.on = False  # the save waits for the lock: pauses must not
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)  # the lock goes long before the timeout
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        path = app.state.path
        held = HeldStore(path)
        try:
            await wedge(pilot, ean(app.sandbox, SPINACH))
            # A save that takes a while says so (and nothing more: it is not counted yet).
            await until(pilot, lambda: static_text(app, "#walk-feedback") == "Saving…", "the walk says it is saving")
            await wedge(pilot, "+")  # a second action waits behind it, in order
            # The screen is not frozen: a key typed now echoes in the scan field at once.
            await pilot.press("7")
            assert screen.scan_field.value == "7"
            assert screen.working and held.process.poll() is None  # ... while the lock is still held
            # Not acknowledged before it is committed: nothing counted, on screen or in the store.
            assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
            assert static_text(app, "#item-name") == "Baby spinach 200g"
            assert "Saving… 1 scan waiting" in static_text(app, "#walk-feedback")
            assert stored_units(path, SPINACH) == 0
        finally:
            held.release()
        await walk_idle(pilot, screen)
        # Once the lock goes, both are counted, in order: the spinach, then one banana by key.
        assert stored_units(path, SPINACH) == 1 and stored_units(path, BANANAS) == 1
        assert static_text(app, "#walk-progress") == "3/38 items · 6/69 units"
        assert "✔ 1 × Bananas" in static_text(app, "#walk-feedback")
        assert screen.scan_field.value == "7"  # what was typed meanwhile is still there


async def test_a_scan_refused_because_the_store_stayed_held_counts_nothing(monkeypatch, pause_waits_for_saves):
    pause_waits_for_saves.on = False  # the save waits for the lock: pauses must not
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 1_500)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        path = app.state.path
        held = HeldStore(path)
        try:
            await wedge(pilot, ean(app.sandbox, SPINACH))
            await wedge(pilot, ean(app.sandbox, BANANAS))  # behind it: not counted either
            await pilot.press("7")
            assert screen.scan_field.value == "7"  # the screen goes on while the scan waits
            await walk_idle(pilot, screen)  # the busy timeout passes with the lock still held
            assert held.process.poll() is None
        finally:
            held.release()
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        said = dialog_text(dialog)
        assert "NOT SAVED" in said and "another pickterm holds it locked" in said and "Nothing was counted" in said
        assert "Not counted: " + ean(app.sandbox, BANANAS) in said
        # Never half-counted: the store and the screen agree that nothing was.
        assert stored_units(path, SPINACH) == 0 and stored_units(path, BANANAS) == 0
        await pilot.press("escape")
        await pilot.pause()
        assert static_text(app, "#walk-progress") == "2/38 items · 4/69 units"
        assert static_text(app, "#item-name") == "Baby spinach 200g"
        # With the lock gone, scanning again counts.
        assert screen.scan_field.value == "7"
        screen.scan_field.value = ""
        await wedge(pilot, ean(app.sandbox, SPINACH))
        await walk_idle(pilot, screen)
        assert stored_units(path, SPINACH) == 1
        assert static_text(app, "#walk-progress") == "3/38 items · 5/69 units"


async def test_scans_waiting_for_a_held_store_keep_their_order_and_a_blocking_one_stops_the_rest(
    monkeypatch, pause_waits_for_saves
):
    pause_waits_for_saves.on = False  # the save waits for the lock: pauses must not
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 30_000)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        bells = count_bells(app)
        path = app.state.path
        held = HeldStore(path)
        try:
            await wedge(pilot, ean(app.sandbox, SPINACH))  # waits for the lock
            await wedge(pilot, "4006381333931")  # then: a code of no item here (blocking)
            await wedge(pilot, ean(app.sandbox, BANANAS))  # then: not counted, behind the error
            await pilot.press("f8")  # a key behind the error: rings, skips nothing
            assert "Saving… 2 scans waiting" in static_text(app, "#walk-feedback")
            assert isinstance(app.screen, WalkthroughScreen)  # no error before its turn
        finally:
            held.release()
        await walk_idle(pilot, screen)
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        said = dialog_text(dialog)
        assert "UNKNOWN CODE" in said and "Not counted: " + ean(app.sandbox, BANANAS) in said
        assert stored_units(path, SPINACH) == 1 and stored_units(path, BANANAS) == 0 and bells
        await pilot.press("escape")
        await pilot.pause()
        assert static_text(app, "#walk-progress") == "3/38 items · 5/69 units"
        assert static_text(app, "#item-name").startswith("Bananas")  # not skipped
        assert app.state.load_progress(data.WS_MAIN).item(BANANAS).state == "todo"


async def test_a_store_that_cannot_read_the_progress_leaves_a_walk_that_says_so():
    from pickterm.store.state import StateError

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await app.ready()

        def unreadable(worksheet_id):
            raise StateError("State database x failed (disk I/O error)", reason="disk I/O error")

        app.state.load_progress = unreadable
        screen = await asyncio.wait_for(open_walk(pilot), 10)  # the walk opens (never a crash)
        assert screen.model is not None and static_text(app, "#item-name") == "Baby spinach 200g"
        assert "Progress is NOT saved: the local store is unavailable (State database x failed" in static_text(
            app, "#error-panel"
        )
        await wedge(pilot, ean(app.sandbox, SPINACH))  # the walk still works
        assert static_text(app, "#walk-progress") == "3/38 items · 5/69 units"

"""The home (lookup) screen: telling ids apart, opening them, recent lookups, demo samples."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from textual.widgets import Input, OptionList, Static

from pickterm.app import PickTermApp
from pickterm.sandbox import Sandbox, data
from pickterm.screens.lookup import LookupScreen

from apphelpers import settle, static_text, text_of


def spy_openers(app: PickTermApp) -> list[tuple[str, tuple]]:
    """Replace the app's navigation (``app.open``) by a recorder; returns the list of (kind, args)."""
    calls: list[tuple[str, tuple]] = []

    def record(kind, *args, found=None, **options):
        assert not options
        assert found is not None  # home hands over what it fetched: the screen shows it as is
        calls.append((kind, args))

    app.open = record
    return calls


async def submit(pilot, text: str) -> None:
    field = pilot.app.screen.query_one("#lookup-input", Input)
    field.value = text
    await pilot.press("enter")
    await settle(pilot)


async def test_home_focuses_the_field_and_lists_the_demo_ids():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.focused is app.screen.query_one("#lookup-input", Input)
        listed = text_of(app.screen)
        assert "Demo ids" in listed
        for group in app.sandbox.samples().values():
            for ident, label in group:
                assert ident in listed and label in listed


@pytest.mark.parametrize(
    ("typed", "call", "understood"),
    [
        (data.ORDER_REPLACED, ("order", (data.ORDER_REPLACED,)), "Order"),
        (data.WS_MAIN, ("worksheet", (data.WS_MAIN,)), "Worksheet"),
        (data.SHIP_ON_ROUTE.upper(), ("shipment", (data.SHIP_ON_ROUTE,)), "Shipment"),
        (data.TRACK_INCIDENT, ("tracking", (data.TRACK_INCIDENT,)), "Tracking number"),
        (data.FACILITY_MDE, ("facility", (data.FACILITY_MDE,)), "Facility"),
    ],
)
async def test_each_kind_of_id_opens_its_screen(typed, call, understood):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        calls = spy_openers(app)
        await submit(pilot, typed)
        assert calls == [call]
        said = static_text(app, "#lookup-understood")
        assert said.startswith(f"→ {understood}")


async def test_scanner_noise_is_stripped():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        calls = spy_openers(app)
        await submit(pilot, f" \x1b{data.ORDER_COP}\t\r\n")
        assert calls == [("order", (data.ORDER_COP,))]


async def test_typed_keys_open_the_order_screen_and_remember_it():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press(*data.ORDER_WEIGHABLE, "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        assert [(r.kind, r.ident) for r in app.state.recent()] == [("order", data.ORDER_WEIGHABLE)]


async def test_facility_id_opens_the_facility_screen():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, data.FACILITY_CDMX)
        assert type(app.screen).__name__ == "FacilityScreen"
        assert "Roma Norte dark store" in text_of(app.screen)


@pytest.mark.parametrize(
    ("typed", "screen", "attribute", "value"),
    [
        (data.WS_FROZEN, "WalkthroughScreen", "worksheet_id", data.WS_FROZEN),
        (data.SHIP_DELIVERED, "ShipmentScreen", "shipment_id", data.SHIP_DELIVERED),
        (data.TRACK_ON_ROUTE, "ShipmentScreen", "shipment_id", data.TRACK_ON_ROUTE),
    ],
)
async def test_lookup_pushes_the_screen_of_the_id(typed, screen, attribute, value):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, typed)
        assert type(app.screen).__name__ == screen
        assert getattr(app.screen, attribute) == value
        assert not app.screen.query_one("#error-panel").display


async def test_text_that_is_no_id_is_refused_on_the_spot():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        calls = spy_openers(app)
        await submit(pilot, "no such thing!")
        assert calls == []
        assert isinstance(app.screen, LookupScreen)
        understood = app.screen.query_one("#lookup-understood", Static)
        assert "Not an id pickterm knows" in str(understood.render())
        assert understood.has_class("-bad")


async def test_what_is_typed_is_classified_while_typing():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.screen.query_one("#lookup-input", Input).value = data.WS_MDE
        await pilot.pause()
        assert static_text(app, "#lookup-understood") == f"Worksheet {data.WS_MDE}"
        await pilot.press("backspace")
        assert static_text(app, "#lookup-understood") == f"Tracking number {data.WS_MDE[:-1]}"


async def test_an_order_that_does_not_exist_stays_on_home_with_the_error():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, "9999999999999-01")
        assert isinstance(app.screen, LookupScreen)
        assert len(app.screen_stack) == 1  # nothing was opened: home alone
        assert app.screen.query_one("#error-panel").display
        shown = static_text(app, "#error-panel")
        assert "Order not found" in shown
        assert "code ORD0002B" in shown
        assert "requestId " in shown
        assert "Check the id and try again" in shown
        assert "Traceback" not in shown
        field = app.screen.query_one("#lookup-input", Input)
        assert app.focused is field
        assert field.value == "9999999999999-01" and field.selected_text == field.value  # a new scan replaces it
        assert app.state.recent() == []  # what was not found is no recent lookup


async def test_a_tracking_number_that_does_not_exist_opens_no_empty_shipment_screen():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, "ZZ0000000000")
        assert isinstance(app.screen, LookupScreen)
        assert "auto-refresh" not in text_of(app.screen)
        assert "not found" in static_text(app, "#error-panel")
        assert "Not opened" in static_text(app, "#lookup-understood")
        # The next lookup clears the error and opens what it finds.
        await submit(pilot, data.TRACK_INCIDENT)
        assert type(app.screen).__name__ == "ShipmentScreen"
        await pilot.press("f2")
        await settle(pilot)
        assert not app.screen.query_one("#error-panel").display


async def test_a_failed_lookup_from_the_recent_list_stays_on_home():
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox, cache_seconds=0))
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, data.ORDER_COP)
        await pilot.press("f2")
        await settle(pilot)
        sandbox.forbidden.add(data.ORDER_COP)  # no access any more since it was opened
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#error-panel").display


async def test_escape_on_home_clears_the_field():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press(*"1234", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert app.screen.query_one("#lookup-input", Input).value == ""


async def test_escape_after_a_failed_lookup_gives_the_screen_back_in_one_press():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, "9999999999999-01")
        assert app.screen.query_one("#error-panel").display
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one("#error-panel").display
        assert "Not opened" not in static_text(app, "#lookup-understood")
        assert app.screen.query_one("#lookup-input", Input).value == ""
        assert "Demo ids" in text_of(app.screen)  # the list is back in view at 40x16
        requests = len(app.sandbox.requests)
        await pilot.press("f5")  # the error is gone: F5 has nothing to retry
        await settle(pilot)
        assert len(app.sandbox.requests) == requests


async def test_arrows_move_between_the_field_and_the_list():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#lookup-input", Input)
        choices = app.screen.query_one("#lookup-list", OptionList)
        await pilot.press("down")
        assert app.focused is choices
        first = choices.get_option_at_index(choices.highlighted)
        assert data.ORDER_NOT_INVOICED in str(first.prompt)
        await pilot.press("down")
        assert data.ORDER_REPLACED in str(choices.get_option_at_index(choices.highlighted).prompt)
        await pilot.press("up", "up")
        assert app.focused is field
        assert choices.highlighted is None
        # Down again, then Enter opens the highlighted demo order.
        calls = spy_openers(app)
        await pilot.press("down", "down", "enter")
        assert calls == [("order", (data.ORDER_REPLACED,))]


async def test_typing_while_the_list_has_focus_goes_into_the_field():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("down", "5", "4", "6")
        field = app.screen.query_one("#lookup-input", Input)
        assert app.focused is field
        assert field.value == "546"


async def test_recent_lookups_come_first_and_open_again():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await submit(pilot, data.TRACK_PENDING)
        await pilot.press("escape")
        await settle(pilot)
        await submit(pilot, data.ORDER_COP)
        await pilot.press("escape")
        await settle(pilot)
        choices = app.screen.query_one("#lookup-list", OptionList)
        prompts = [str(option.prompt) for option in choices.options]
        assert prompts[0] == "Recent lookups"
        assert prompts[1].startswith(data.ORDER_COP) and prompts[1].rstrip().endswith("order")
        assert prompts[2].startswith(data.TRACK_PENDING) and "tracking" in prompts[2]
        assert prompts[3] == "Demo ids"
        calls = spy_openers(app)
        await pilot.press("down", "down", "enter")
        assert calls == [("tracking", (data.TRACK_PENDING,))]


async def test_demo_entries_stack_at_40_columns_and_share_a_line_at_80():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        choices = app.screen.query_one("#lookup-list", OptionList)
        entry = str(choices.get_option_at_index(1).prompt)
        assert entry.split("\n") == [data.ORDER_NOT_INVOICED, "order, not invoiced (tracking refused)"]
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        entry = str(choices.get_option_at_index(1).prompt)
        assert "\n" not in entry and entry.startswith(data.ORDER_NOT_INVOICED)


def test_the_home_screen_module_stays_light():
    code = (
        "import sys, pickterm.screens.lookup\n"
        "heavy = sorted(m for m in ('httpx', 'pydantic', 'tomlkit', 'pickterm.api', 'pickterm.store.state')"
        " if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_reading_the_settings_at_start_leaves_the_heavy_modules_for_later(tmp_path):
    """What runs before the first frame (the command line, the App, home, the profile read from
    the config file) imports neither the API layer nor tomlkit: tomlkit is for writing the file."""
    config = tmp_path / "pickterm" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        '# the floor\'s terminal\ndefault_profile = "floor"\n\n'
        '[profiles.floor]\ntheme = "light"\nlanguage = "es"\nkeymap = "no-fkeys"\n'
    )
    code = (
        "import sys, pickterm.cli, pickterm.app, pickterm.screens.lookup, pickterm.commands.app\n"
        "from pickterm.store.config import load_settings\n"
        "settings = load_settings()\n"
        "heavy = sorted(m for m in ('httpx', 'pydantic', 'tomlkit', 'pickterm.api', 'pickterm.store.state')"
        " if m in sys.modules)\n"
        "print(settings.profile, settings.theme, settings.language, settings.keymap, ','.join(heavy))\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["floor", "light", "es", "no-fkeys"]


async def test_recent_lookups_are_those_of_the_profile_they_were_made_in(tmp_path):
    """Two profiles on one terminal share the local store, not their recent lookups."""
    from pickterm.connect import demo_client
    from pickterm.sandbox import Sandbox
    from pickterm.store.config import Settings

    def app_of(profile: str) -> PickTermApp:
        sandbox = Sandbox()
        settings = Settings(profile=profile, config_path=tmp_path / "config.toml")
        return PickTermApp(settings=settings, client=demo_client(sandbox), sandbox=sandbox)

    def listed(app) -> str:
        return " ".join(str(option.prompt) for option in app.screen.query_one("#lookup-list", OptionList).options)

    app = app_of("shop1")
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await submit(pilot, data.ORDER_COP)
        await pilot.press("escape")
        await settle(pilot)
        assert data.ORDER_COP in listed(app)
    app = app_of("shop2")
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert data.ORDER_COP not in listed(app)
        await submit(pilot, data.ORDER_WEIGHABLE)
        await pilot.press("escape")
        await settle(pilot)
        assert data.ORDER_WEIGHABLE in listed(app) and data.ORDER_COP not in listed(app)
    app = app_of("shop1")
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert data.ORDER_COP in listed(app) and data.ORDER_WEIGHABLE not in listed(app)


async def test_an_order_looked_up_on_home_is_fetched_once_with_its_whole_picture():
    from pickterm.connect import demo_client

    sandbox = Sandbox()
    # No client cache: a second fetch of anything would reach the server and be counted.
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox, cache_seconds=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sandbox.requests.clear()
        await submit(pilot, data.ORDER_ON_ROUTE)
        assert type(app.screen).__name__ == "OrderScreen"
        paths = [r.path.split("/prod/v1")[-1] for r in sandbox.requests if r.method == "GET"]
        assert paths.count(f"/orders/{data.ORDER_ON_ROUTE}") == 1  # home's fetch is the one the screen shows
        assert paths.count(f"/worksheets?orderId={data.ORDER_ON_ROUTE}") == 1
        assert paths.count(f"/shipments?orderId={data.ORDER_ON_ROUTE}") == 1
        assert paths.count(f"/facilities/{data.FACILITY_MDE}") == 1
        details = static_text(app, "#order-details")
        assert "Shipments: 2" in details and "Facility: " in details

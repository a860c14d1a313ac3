"""First-run setup: opened without an API key, tests the connection against a loopback
sandbox, saves the profile and goes on with it; the key is never shown."""

from __future__ import annotations

import tomllib

import pytest
from textual.widgets import Static

from pickterm.api.client import API_URL, AUTH_URL
from pickterm.app import PickTermApp
from pickterm.i18n import set_language
from pickterm.sandbox import DEMO_API_KEY, Sandbox, data, serve_in_thread
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.setup import SetupScreen
from pickterm.store.config import config_path, load_settings
from pickterm.widgets.fields import FormField

from apphelpers import settle, terminal_text

WRONG_KEY = "wrong-key-4fb1c0de9a"


@pytest.fixture()
def server():
    with serve_in_thread(Sandbox()) as handle:
        yield handle


def field(screen, name: str) -> FormField:
    return next(f for f in screen.query(FormField) if f.field_name == name)


def result(screen) -> str:
    return str(screen.query_one("#setup-result", Static).render())


async def fill(pilot, screen, **values: str) -> None:
    for name, value in values.items():
        field(screen, name).input.value = value
    await pilot.pause()


async def setup_screen(pilot) -> SetupScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SetupScreen)
    return screen


async def test_opens_without_an_api_key_prefilled_with_the_defaults():
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        assert app.needs_setup
        assert field(screen, "profile").value == "default"
        assert field(screen, "api_url").value == API_URL
        assert field(screen, "auth_url").value == AUTH_URL
        assert field(screen, "auth_scheme").value == "bearer"
        key = field(screen, "api_key")
        assert key.value == "" and key.input.password
        assert app.focused is key.input


async def test_demo_mode_needs_no_setup():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, SetupScreen)


async def test_test_connection_works_with_the_right_key(server):
    app = PickTermApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await setup_screen(pilot)
        await fill(pilot, screen, api_url=server.url, auth_url=server.url, api_key=DEMO_API_KEY)
        await pilot.press("ctrl+t")  # from inside the key field
        await settle(pilot)
        assert "✔ Connection works" in result(screen)
        assert server.sandbox.token_requests == 1
        assert not config_path().exists()  # testing saves nothing


async def test_test_connection_says_why_it_failed_and_never_shows_the_key(server):
    app = PickTermApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await setup_screen(pilot)
        await fill(pilot, screen, api_url=server.url, auth_url=server.url, api_key=WRONG_KEY)
        await pilot.press("ctrl+t")
        await settle(pilot)
        said = result(screen)
        assert said.startswith("✘ Connection test failed: API key rejected")
        assert "Invalid API key" in said
        assert WRONG_KEY not in said
        assert WRONG_KEY not in app.export_screenshot() and WRONG_KEY not in terminal_text(app)


async def test_fields_are_checked_as_typed_and_bad_values_are_not_saved():
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        await fill(
            pilot, screen, api_url="http://example.com/v1", auth_scheme="basic", profile="my shop", api_key="a b"
        )
        assert "must use https://" in str(field(screen, "api_url").query_one(".field-message", Static).render())
        assert "not one of bearer, raw" in str(
            field(screen, "auth_scheme").query_one(".field-message", Static).render()
        )
        assert not field(screen, "profile").ok
        assert not field(screen, "api_key").ok
        assert "a b" not in str(field(screen, "api_key").query_one(".field-message", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "4 fields to fix first" in result(screen)
        assert app.focused is field(screen, "profile").input
        assert not config_path().exists()
        await pilot.press("ctrl+t")  # no test with bad values either
        await settle(pilot)
        assert "to fix first" in result(screen)


async def test_save_writes_the_profile_and_the_app_goes_on_with_it(server):
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        await fill(
            pilot,
            screen,
            profile="shop1",
            api_url=server.url,
            auth_url=server.url,
            auth_scheme="raw",
            api_key=DEMO_API_KEY,
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen not in app.screen_stack
        settings = load_settings()
        assert settings.profile == "shop1"
        assert settings.api_url == server.url and settings.auth_url == server.url
        assert settings.auth_scheme == "raw" and settings.api_key_value() == DEMO_API_KEY
        assert (config_path().stat().st_mode & 0o777) == 0o600
        assert app.settings.profile == "shop1" and not app.needs_setup
        client = await app.client()
        order = await client.get_order(data.ORDER_WEIGHABLE)
        assert order.order_id == data.ORDER_WEIGHABLE
        request = [r for r in server.sandbox.requests if r.method == "GET"][-1]
        assert not request.headers["Authorization"].startswith("Bearer ")  # raw scheme


async def test_default_urls_are_not_written_so_later_defaults_apply():
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        await fill(pilot, screen, api_key="k-123456789")
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = tomllib.loads(config_path().read_text())
        assert saved["default_profile"] == "default"
        assert set(saved["profiles"]["default"]) == {"api_key"}
        assert load_settings().api_key_value() == "k-123456789"


async def test_leaving_unsaved_setup_asks_first():
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        await pilot.press(*"abc")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and field(screen, "api_key").value == "abc"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert screen not in app.screen_stack
        assert not config_path().exists()


async def test_the_connection_result_is_in_sight_at_40x16(server):
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await setup_screen(pilot)
        await fill(pilot, screen, api_url=server.url, auth_url=server.url, api_key=DEMO_API_KEY)
        await pilot.press("ctrl+t")
        await settle(pilot)
        shown = terminal_text(app)
        assert "✔ Connection works" in shown  # on the screen, not below the fold
        assert "API key" in shown and app.focused is field(screen, "api_key").input  # the field typed in too
        await fill(pilot, screen, api_key=WRONG_KEY)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "✘ Connection test failed" in terminal_text(app)


async def test_a_saved_key_is_never_shown_only_that_one_is_saved():
    from pickterm.connect import demo_client
    from pickterm.store.config import set_api_key

    secret = "pnp-key-0123456789-abcdWXYZ"
    set_api_key(secret, "default")
    app = PickTermApp(settings=load_settings(), client=demo_client())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open("setup")
        screen = await setup_screen(pilot)
        key = field(screen, "api_key")
        assert key.value == "" and key.input.placeholder == "a key is saved; empty keeps it"
        assert "The saved key is never shown" in terminal_text(app)
        for shown in (terminal_text(app), app.export_screenshot()):
            assert secret[-4:] not in shown and "\u2022" * 4 not in shown


async def test_setup_opens_again_from_the_palette_and_home_says_no_key_is_set():
    """Left without a key, home says none is set (not "rejected") and how to open the setup;
    the command palette opens it again, in the user's language."""
    app = PickTermApp()
    async with app.run_test(size=(40, 16)) as pilot:
        await setup_screen(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SetupScreen)
        said = str(app.screen.error_panel.render())
        assert "No API key is set for profile default" in said and "^p, then Setup" in said
        assert "rejected" not in said
        await pilot.press(*"1509750516095-01", "enter")  # a lookup says the same
        await settle(pilot)
        said = str(app.screen.error_panel.render())
        assert "No API key is set for profile default" in said and "rejected" not in said
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"setup")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        set_language("es")
        names = [command.title for command in app.get_system_commands(app.screen_stack[0])]
        assert "Configuración" in names


async def test_the_demo_has_no_setup_in_its_palette():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert "Setup" not in [command.title for command in app.get_system_commands(app.screen)]

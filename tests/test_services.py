"""The one typed Services object: what a command line asks for, made once, and handed to the App."""

from __future__ import annotations

import argparse

import pytest

import pickterm.store.config as config_module
from pickterm.app import PickTermApp
from pickterm.connect import demo_client
from pickterm.sandbox import DEMO_API_KEY, Sandbox
from pickterm.sandbox.data import ORDER_COP
from pickterm.services import Services
from pickterm.store.state import state_path

from apphelpers import settle, write_config


def args(**given) -> argparse.Namespace:
    return argparse.Namespace(**given)


@pytest.fixture
def settings_reads(monkeypatch) -> list[tuple]:
    """Every time the config is read, with the profile and flags it was read for."""
    reads: list[tuple] = []
    real = config_module.load_settings

    def counting(profile=None, **kwargs):
        reads.append((profile, kwargs.get("api_url"), kwargs.get("auth_url")))
        return real(profile, **kwargs)

    monkeypatch.setattr(config_module, "load_settings", counting)
    return reads


async def test_demo_services_use_the_sandbox_and_the_demo_store():
    services = Services.from_args(args(demo=True))
    assert services.make_sandbox() is services.make_sandbox()
    state = services.open_state()
    assert state.path == state_path(demo=True) and services.open_state() is state
    assert services.open_outbox().db is state
    async with services.new_client() as client:
        order = await client.get_order(ORDER_COP)
    assert order.order_id == ORDER_COP
    assert services.load_settings() is None  # demo mode reads no config
    state.close()


async def test_the_settings_are_read_once_for_the_flags_given(settings_reads):
    write_config(f'[profiles.floor]\napi_key = "{DEMO_API_KEY}"\ntheme = "light"\n')
    services = Services.from_args(args(profile="floor", api_url="https://api.example.test/v1", auth_url=None))
    settings = services.load_settings()
    client = services.connect()
    assert client is not None and services.connect() is client
    async with services.new_client() as other:
        assert other is not client and other.api_url == "https://api.example.test/v1"
    await client.aclose()
    assert settings is not None and settings.profile == "floor"
    assert settings_reads == [("floor", "https://api.example.test/v1", None)]


def test_without_an_api_key_there_is_no_shared_client():
    services = Services.from_args(args(profile=None, api_url=None, auth_url=None))
    assert services.connect() is None  # the app shows the setup screen


async def test_the_app_takes_the_services_of_the_command_line_and_reads_no_config_again(settings_reads):
    write_config(f'[profiles.default]\napi_key = "{DEMO_API_KEY}"\ntheme = "light"\n')
    sandbox = Sandbox()
    services = Services(client=demo_client(sandbox), sandbox=sandbox)
    services.load_settings()  # what ``pickterm`` does before the screen is taken over
    app = PickTermApp(services=services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "pickterm-light"  # the profile's theme from the first frame on
        assert app.settings is services.settings
        assert app.state is services.state is not None
        assert app.outbox is services.outbox is not None
        assert await app.client() is services.client
        app.open("order", ORDER_COP)
        await settle(pilot)
        assert app.screen.data.order_id == ORDER_COP
    assert settings_reads == [(None, None, None)]


async def test_the_app_made_without_services_reads_the_config_itself(settings_reads):
    write_config(f'[profiles.default]\napi_key = "{DEMO_API_KEY}"\n')
    app = PickTermApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.settings is not None and app.settings.api_key is not None
        assert app.services.client is not None and not app.needs_setup
    assert settings_reads == [(None, None, None)]


def test_reading_the_store_creates_nothing_and_finds_what_was_written():
    services = Services.from_args(args(demo=False))
    assert services.read_state() is None and not state_path().exists()
    services.open_state().add_recent("order", ORDER_COP)
    reader = services.read_state()
    assert reader is not None and reader is not services.state
    with reader:
        assert [r.ident for r in reader.recent()] == [ORDER_COP]
    services.open_state().close()

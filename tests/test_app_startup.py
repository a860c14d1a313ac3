"""Start-up: the home screen is usable and lists its ids before the API layer has loaded."""

from __future__ import annotations

import asyncio
import threading

from textual.widgets import Input, OptionList

import pickterm.startup
from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.lookup import LookupScreen
from pickterm.services import Services

from apphelpers import settle, text_of


async def test_home_lists_recent_and_demo_ids_while_the_api_layer_still_loads(monkeypatch):
    release = threading.Event()
    real_import = pickterm.startup._import_services

    def slow_import() -> None:  # httpx and pydantic on a slow handheld
        release.wait(10)
        real_import()

    monkeypatch.setattr(pickterm.startup, "_import_services", slow_import)
    app = PickTermApp(demo=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                await pilot.pause(0.02)
                if app.screen.query_one(OptionList).option_count:
                    break
            assert isinstance(app.screen, LookupScreen)
            assert app.focused is app.screen.query_one("#lookup-input", Input)
            assert "Demo ids" in text_of(app.screen)
            assert not app._services_ready.is_set()  # the API layer is still loading
            release.set()
            await settle(pilot)
            assert app.outbox is not None
    finally:
        release.set()


async def test_home_lists_the_demo_ids_with_their_labels_before_the_sandbox_is_built(monkeypatch):
    release = threading.Event()
    real_make = Services.make_sandbox

    def slow_make(self: Services) -> object:  # building the demo backend on a slow handheld
        release.wait(10)
        return real_make(self)

    monkeypatch.setattr(Services, "make_sandbox", slow_make)
    app = PickTermApp(demo=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                await pilot.pause(0.02)
                if app.screen.query_one(OptionList).option_count:
                    break
            assert app.sandbox is None  # still being built
            listed = text_of(app.screen)
            for group in data.samples().values():
                for ident, label in group:
                    assert ident in listed and label in listed
            release.set()
            await settle(pilot)
            assert app.sandbox is not None and app.sandbox.samples() == data.samples()
            await pilot.press(*data.WS_MAIN, "enter")  # the lookup waits for the sandbox
            await settle(pilot)
            assert data.WS_MAIN in text_of(app.screen) and not isinstance(app.screen, LookupScreen)
    finally:
        release.set()


async def test_home_and_back_never_leave_the_home_screen():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        app.open("facility", data.FACILITY_CDMX)
        await settle(pilot)
        assert app.screen is not home
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is home
        await pilot.press("f3", "escape")
        await asyncio.sleep(0)
        await settle(pilot)
        assert app.screen is home and app.is_running

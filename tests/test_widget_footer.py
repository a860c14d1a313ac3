"""The footer: follows the keys of what has the focus, and is not rebuilt when they stay the same."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from pickterm.widgets.footer import AppFooter


class Keys(Input):
    BINDINGS = [Binding("f6", "sixth", "Sixth")]

    def action_sixth(self) -> None:
        pass


class FooterApp(App):
    BINDINGS = [Binding("f1", "help", "Help")]

    def compose(self) -> ComposeResult:
        yield Input(id="plain")
        yield Keys(id="keys")
        yield AppFooter()

    def action_help(self) -> None:
        pass


def keys(app: App) -> list:
    return list(app.query_one(AppFooter).children)


def shown(app: App) -> list[str]:
    return [key.description for key in keys(app)]


async def test_the_footer_shows_the_keys_of_what_has_the_focus():
    app = FooterApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "Help" in shown(app) and "Sixth" not in shown(app)
        app.query_one("#keys").focus()
        await pilot.pause()
        await pilot.pause()
        assert "Help" in shown(app) and "Sixth" in shown(app)
        app.query_one("#plain").focus()
        await pilot.pause()
        await pilot.pause()
        assert "Sixth" not in shown(app)


async def test_the_footer_keeps_its_keys_when_the_bindings_stay_the_same():
    # Start-up says three times that the bindings may have changed: Textual's Footer rebuilt
    # every key each time (~7 ms of CPU each while the home screen was being drawn).
    app = FooterApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        before = keys(app)
        assert before
        app.screen.refresh_bindings()
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert keys(app) == before


class HeldApp(FooterApp):
    """Holds its footer's first keys back, as home does until its lists are drawn."""

    def on_mount(self) -> None:
        self.query_one(AppFooter).hold()


async def test_a_held_footer_shows_its_keys_once_released():
    app = HeldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == []
        app.query_one(AppFooter).release()
        await pilot.pause()
        await pilot.pause()
        assert "Help" in shown(app)


async def test_a_held_footer_never_released_shows_its_keys_after_its_longest_wait(monkeypatch):
    monkeypatch.setattr(AppFooter, "HOLD_SECONDS", 0.2)
    app = HeldApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert shown(app) == []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10  # the hold is 0.2 s: this only bounds a broken build
        while not shown(app) and loop.time() < deadline:
            await pilot.pause(0.05)
        assert "Help" in shown(app)

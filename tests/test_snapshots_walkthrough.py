"""Snapshots of the worksheet walkthrough at 40x16 and 80x24: the current item, a blocking
error, the item list and the summary. The demo data are fixed; these tests run in UTC."""

from __future__ import annotations

import asyncio

import pytest

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens import walkthrough_dialogs

from apphelpers import open_screen, wedge

SIZES = [pytest.param((40, 16), id="40x16"), pytest.param((80, 24), id="80x24")]


@pytest.fixture(autouse=True)
def steady(utc, monkeypatch):
    """UTC dates, and an error dialog that has finished flashing when the picture is taken."""
    monkeypatch.setattr(walkthrough_dialogs, "FLASH_SECONDS", 0)


async def open_main(pilot, worksheet_id: str = data.WS_MAIN) -> None:
    await open_screen(pilot, "open_worksheet", worksheet_id)


@pytest.fixture(autouse=True)
def pause_waits_for_saves(monkeypatch):
    """The walk saves every action on a worker thread before it shows it: a pause also lets the
    saves under way finish, so the picture shows what the picker sees a moment later."""
    from textual.pilot import Pilot

    from pickterm.screens.walkthrough import WalkthroughScreen

    pause = Pilot.pause

    async def pause_and_saves(self, delay=None) -> None:
        await pause(self, delay)
        for _ in range(1000):
            if not any(isinstance(s, WalkthroughScreen) and getattr(s, "saving", False) for s in self.app.screen_stack):
                return
            await asyncio.sleep(0.005)
            await pause(self)

    monkeypatch.setattr(Pilot, "pause", pause_and_saves)


def ean(app, item_id: str) -> str:
    return app.screen.model.items[item_id].ean


@pytest.mark.parametrize("size", SIZES)
def test_current_item(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_main(pilot)
        await wedge(pilot, ean(pilot.app, "106"))  # spinach done: on to the bananas

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_blocking_error(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_main(pilot)
        await wedge(pilot, ean(pilot.app, "201"))  # the milk, while the spinach is expected
        await pilot.pause(0.05)

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_item_list(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_main(pilot)
        await pilot.press("f8")  # spinach skipped
        await wedge(pilot, ean(pilot.app, "101"))  # bananas 1 of 2
        await pilot.press("f4")
        await pilot.pause()

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare, size):
    async def run_before(pilot) -> None:
        await open_main(pilot, data.WS_FROZEN)
        model = pilot.app.screen.model
        await pilot.press("f8", "f9", "down", "enter")  # the first skipped, the second out of stock
        await pilot.pause()
        for item_id in [i for i in model.walk if not model.items[i].settled] + [model.walk[-1]]:
            item = model.items[item_id]  # ... and the skipped one last: the worksheet is complete
            await wedge(pilot, f"{item.left}*{item.ean}")

    assert snap_compare(PickTermApp(demo=True), terminal_size=size, run_before=run_before)

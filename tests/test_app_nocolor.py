"""NO_COLOR means no colour: what reaches the terminal holds no colour sequence at all, only
bold, dim, reverse and underline; the cursor and the highlighted entry stay visible."""

from __future__ import annotations

import re

import pytest

from pickterm.app import PickTermApp
from pickterm.sandbox import data

from apphelpers import settle

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
PLAIN_CODES = {"", "0", "1", "2", "4", "7", "21", "22", "24", "27"}


def written(app: PickTermApp) -> str:
    """What Textual writes to the terminal for the whole current screen."""
    # No public API hands out the segments Textual writes for a frame (export_screenshot drops
    # control characters and colours), so this reads the compositor; Textual is pinned.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)


def colour_codes(text: str) -> set[str]:
    codes = set()
    for match in _SGR.finditer(text):
        codes |= {c for c in match.group(1).replace(":", ";").split(";")}
    return codes - PLAIN_CODES


async def walk(pilot, app):
    await settle(pilot)
    yield "lookup"
    app.open("order", data.ORDER_REPLACED)
    await settle(pilot)
    yield "order"
    app.open("worksheet", data.WS_MAIN)
    await settle(pilot)
    yield "walkthrough"
    await pilot.press("f12")
    await settle(pilot)
    yield "summary"


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
async def test_no_color_sends_no_colour_at_all(monkeypatch, size):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PickTermApp(demo=True)
    async with app.run_test(size=size) as pilot:
        async for where in walk(pilot, app):
            out = written(app)
            assert colour_codes(out) == set(), (where, sorted(colour_codes(out)))


async def test_the_monochrome_theme_sends_no_colour_either():
    app = PickTermApp(demo=True, theme="monochrome")
    async with app.run_test(size=(80, 24)) as pilot:
        async for where in walk(pilot, app):
            assert colour_codes(written(app)) == set(), where


async def test_without_no_color_there_is_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert colour_codes(written(app))  # the check can fail


async def test_the_cursor_and_the_header_are_reverse_without_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        out = written(app)
        reverse_runs = [m for m in _SGR.finditer(out) if "7" in m.group(1).split(";")]
        assert reverse_runs, "nothing is drawn in reverse: no visible cursor or header"
        # No public API hands out the segments Textual writes for a frame (export_screenshot drops
        # control characters and colours), so this reads the compositor; Textual is pinned.
        update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
        first_line = list(update.strips[0])
        assert any(seg.style and seg.style.reverse and "Lookup" in seg.text for strip in first_line for seg in strip), (
            "the header is not reverse"
        )

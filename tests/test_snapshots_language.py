"""Snapshots of the picker's screens in Spanish and Brazilian Portuguese on a 40x16 handheld:
home, the walkthrough, a blocking error, the short-pick dialog and the tracking form.

Deterministic as the English ones: local time is UTC, the tracking form's "now" is frozen,
an error dialog has finished flashing, and text cursors do not blink.
"""

from __future__ import annotations

import pytest

from pickterm.app import PickTermApp
from pickterm.i18n import set_language
from pickterm.sandbox import data

from apphelpers import ean, open_screen, open_walk, settle, still, wedge

LANGUAGES = [pytest.param("es", id="es"), pytest.param("pt-BR", id="pt-BR")]
HANDHELD = (40, 16)

# Local time is UTC, the tracking form's "now" is frozen, an error dialog has finished flashing.
pytestmark = pytest.mark.usefixtures("utc", "frozen_now", "no_flash")


@pytest.mark.parametrize("language", LANGUAGES)
def test_home(snap_compare, language):
    set_language(language)

    async def run_before(pilot) -> None:
        await settle(pilot)
        await still(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=HANDHELD, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_walkthrough(snap_compare, language):
    set_language(language)

    async def run_before(pilot) -> None:
        await open_walk(pilot)
        await wedge(pilot, ean(pilot.app.sandbox, "106"))  # spinach done: on to the bananas

    assert snap_compare(PickTermApp(demo=True), terminal_size=HANDHELD, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_blocking_error(snap_compare, language):
    set_language(language)

    async def run_before(pilot) -> None:
        await open_walk(pilot)
        await wedge(pilot, ean(pilot.app.sandbox, "201"))  # the milk, while the spinach is expected
        await pilot.pause(0.05)

    assert snap_compare(PickTermApp(demo=True), terminal_size=HANDHELD, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_pick_dialog(snap_compare, language):
    set_language(language)

    async def run_before(pilot) -> None:
        await open_walk(pilot)
        await pilot.press("f9", "2")  # "damaged" chosen, not yet confirmed
        await pilot.pause()

    assert snap_compare(PickTermApp(demo=True), terminal_size=HANDHELD, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_tracking_form(snap_compare, language):
    set_language(language)

    async def run_before(pilot) -> None:
        await open_screen(pilot, "track", data.ORDER_NOT_INVOICED)
        await pilot.press("ctrl+n")
        await pilot.press(*"Guadalajara", "tab", *"JAL", "tab")  # description left empty
        await settle(pilot)
        await still(pilot)

    assert snap_compare(PickTermApp(demo=True), terminal_size=HANDHELD, run_before=run_before)

"""What the app tests share: waiting for the app to settle, opening screens, reading what they show.

Imported as ``from apphelpers import ...``: pytest puts tests/ on sys.path (the default
"prepend" import mode, tests/ being no package).
"""

from __future__ import annotations

import asyncio
import html
import re
import unicodedata
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList, Static

from pickterm.screens.confirm import ConfirmScreen

SETTLE_SECONDS = 10.0
"""How long ``settle`` waits at most: far more than any screen needs, even on a loaded 2-core machine."""

BACKGROUND_GROUPS = frozenset({"outbox", "token", "store-watch"})
"""The app's worker groups that run for as long as it does (outbox retries, token warm-up, watching
the local store): never waited for."""


def holds_an_answer(app: App) -> bool:
    """A question (ConfirmScreen) on top holds a y or n until the burst threshold has passed."""
    try:
        screen = app.screen
    except Exception:  # no screen any more: the app has ended
        return False
    return isinstance(screen, ConfirmScreen) and getattr(screen, "_held", None) is not None


def busy_workers(app: App) -> list:
    """The workers ``settle`` waits for: none while a question (ConfirmScreen) waits for its answer,
    its held answer (a y or n waiting out the burst threshold) once given one."""
    if holds_an_answer(app):
        return ["the question's held answer"]
    if isinstance(app.screen, ConfirmScreen):
        return []
    return [w for w in app.workers if w.group not in BACKGROUND_GROUPS and not w.is_finished]


async def settle(pilot: Pilot, timeout: float = SETTLE_SECONDS) -> None:
    """Wait for the app's services and for every worker of its screens to finish.

    Fails the test, naming what is still running, after ``timeout`` seconds.
    """
    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        await asyncio.wait_for(app.ready(), timeout)
    except TimeoutError:
        raise AssertionError(f"settle: the app's services were not ready after {timeout:g} s") from None
    while True:
        await pilot.pause()
        busy = busy_workers(app)
        if not busy:
            break
        if loop.time() >= deadline:
            raise AssertionError(f"settle: still busy after {timeout:g} s: {busy}")
        await asyncio.sleep(0.01)
    await pilot.pause()


async def answer(pilot: Pilot, key: str, timeout: float = SETTLE_SECONDS) -> None:
    """A person answers the question on top with ``key`` (y or n): the question takes it once the
    burst threshold has passed with no other key; wait for that (at most ``timeout`` seconds)."""
    await pilot.press(key)
    await held_answer_given(pilot, timeout)


async def held_answer_given(pilot: Pilot, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until no question on top holds an answer; fails the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while holds_an_answer(pilot.app):
        if loop.time() >= deadline:
            raise AssertionError(f"the question still held its answer after {timeout:g} s")
        await asyncio.sleep(0.01)
        await pilot.pause()
    await pilot.pause()


async def open_screen(pilot: Pilot, kind: str, *args, **kwargs) -> Screen:
    """Once settled, open a screen as the app does (``app.open(kind, *args, **kwargs)``) and wait
    for its data; returns the screen then on top."""
    await settle(pilot)
    pilot.app.open(kind, *args, **kwargs)
    await settle(pilot)
    return pilot.app.screen


def opening(kind: str, *args, **kwargs) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot ``run_before`` that opens a screen with ``open_screen``."""

    async def run_before(pilot: Pilot) -> None:
        await open_screen(pilot, kind, *args, **kwargs)

    return run_before


def key_name(char: str) -> str:
    """Textual's name for the key of a printable character ("7", "a", "minus", "asterisk"), as its
    terminal driver names it: the character's Unicode name, snake-cased, with Textual's public
    replacements (``textual.keys.KEY_NAME_REPLACEMENTS``)."""
    if char.isalnum():
        return char
    name = unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


def burst(app: App, text: str) -> None:
    """Post every key of ``text`` at once, as a terminal read delivers a scanner's burst.

    ``Pilot.press`` waits for the app to idle between keys, which no scanner does, so the
    keys are posted as the driver posts them (public ``events.Key`` messages)."""
    for char in text:
        app.post_message(events.Key(key_name(char), char))


async def wedge(pilot: Pilot, code: str, terminator: str = "enter") -> None:
    """A scan as a wedge scanner sends it: every key at once, then the terminator (Enter or Tab)."""
    app = pilot.app
    burst(app, code)
    app.post_message(events.Key(terminator, {"enter": "\r", "tab": "\t"}[terminator]))
    await pilot.pause()


def static_text(app: App, selector: str) -> str:
    """What the Static ``selector`` of the current screen shows."""
    return str(app.screen.query_one(selector, Static).render())


def text_of(screen: Screen, selector: str | type = Static) -> str:
    """Every literal text on a screen: its shown Statics (those ``selector`` matches) and the
    entries of its lists, one after the other."""
    parts = [str(static.render()) for static in screen.query(selector) if static.display]
    for options in screen.query(OptionList):
        parts += [str(option.prompt) for option in options.options]
    return "\n".join(parts)


def terminal_text(app: App) -> str:
    """The text on the terminal, line by line (from the screenshot the app exports)."""
    lines: dict[int, list[str]] = {}
    pattern = r'<text [^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)</text>'
    for match in re.finditer(pattern, app.export_screenshot()):
        lines.setdefault(int(match.group(1)), []).append(html.unescape(match.group(2)).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(lines.items()))


def header_status(app: App) -> str:
    """The header's status line: the outbox counts."""
    return static_text(app, "#header-status")


def notifications(app: App) -> str:
    """Every notification the app has shown, one a line (as ``App.notify`` was given it: recorded
    by the ``_record_toasts`` fixture of conftest.py, whatever their timeout)."""
    return "\n".join(getattr(app, "shown_toasts", []))

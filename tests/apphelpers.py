"""What the tests share: waiting for the app to settle, opening screens, reading what they show;
the walkthrough's and the tracking form's helpers; running the command line; clients and
stores for the outbox's tests. Fixtures are in conftest.py.

Imported as ``from apphelpers import ...``: pytest puts tests/ on sys.path (the default
"prepend" import mode, tests/ being no package).
"""

from __future__ import annotations

import asyncio
import html
import re
import socket
import unicodedata
from collections.abc import Awaitable, Callable

import httpx
from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from pickterm.api import PickPackClient
from pickterm.cli import main
from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox, data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.tracking import TrackingScreen
from pickterm.screens.walkthrough import WalkthroughScreen
from pickterm.store.config import config_path
from pickterm.widgets.fields import FormField

SETTLE_SECONDS = 10.0
"""How long ``settle`` waits at most: far more than any screen needs, even on a loaded 2-core machine."""

BACKGROUND_GROUPS = frozenset({"outbox", "token", "store-watch"})
"""The app's worker groups that run for as long as it does (outbox retries, token warm-up, watching
the local store): never waited for."""


def free_port() -> int:
    """A loopback port nobody listens on right now (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


async def until(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = SETTLE_SECONDS) -> None:
    """Let the app run until ``condition()`` holds (a query that matches nothing yet is "not yet");
    fails the test, naming ``what``, after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not _holds(condition):
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await pilot.pause(0.01)


def _holds(condition: Callable[[], object]) -> bool:
    try:
        return bool(condition())
    except NoMatches:  # the screen is still being built
        return False


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


async def still(pilot: Pilot) -> None:
    """Text cursors stop blinking (and stay shown), for a snapshot's picture."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


# ---------------------------------------------------------------- the walkthrough

SPINACH = "106"  # the first item of the main worksheet's walk: 1 to pick (on the main worksheet only)
BANANAS = "101"  # the second: 2 to pick


def ean(sandbox: Sandbox, item_id: str) -> str:
    """The EAN of an item of the sandbox's orders."""
    for order_id in sandbox.order_ids:
        order = sandbox.order(order_id)
        for item in order["unhandledItems"] + order["pickedItems"]:
            if item["id"] == item_id:
                return item["ean"]
    raise KeyError(item_id)


def walk(app: App) -> WalkthroughScreen:
    """The walkthrough on top (fails the test when another screen is)."""
    screen = app.screen
    assert isinstance(screen, WalkthroughScreen), type(screen).__name__
    return screen


async def open_walk(pilot: Pilot, worksheet_id: str = data.WS_MAIN) -> WalkthroughScreen:
    """Open a worksheet's walkthrough and wait for its barcodes."""
    screen = await open_screen(pilot, "worksheet", worksheet_id)
    assert isinstance(screen, WalkthroughScreen), type(screen).__name__
    await screen.barcodes_loaded.wait()
    await pilot.pause()
    return screen


def units(app: App, item_id: str, worksheet_id: str = data.WS_MAIN) -> int:
    """The units of an item picked so far, as the local store has them."""
    return app.state.load_progress(worksheet_id).item(item_id).units


def dialog_text(screen: Screen) -> str:
    """Every Static of a screen (a dialog), one after the other on one line."""
    return " ".join(str(w.render()) for w in screen.query(Static))


# ---------------------------------------------------------------- the tracking form


async def open_form(pilot: Pilot, order_id: str, entry_id: int | None = None) -> TrackingScreen:
    """Open the tracking form for an order (or for an outbox entry of it) and wait for its data."""
    screen = await open_screen(pilot, "track", order_id, entry_id)
    assert isinstance(screen, TrackingScreen)
    return screen


def preview(screen: Screen) -> str:
    """The tracking form's preview of what ctrl+s sends."""
    return str(screen.query_one("#preview", Static).render())


def message(form_field: FormField) -> str:
    """The message under a form field ("" when none shows)."""
    note = form_field.query_one(".field-message", Static)
    return str(note.render()) if note.display else ""


async def type_into(pilot: Pilot, form_field: FormField, text: str) -> None:
    """A form field's text becomes ``text``, as if typed."""
    form_field.input.value = text
    await pilot.pause()


# ---------------------------------------------------------------- the command line


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``pickterm ARGV`` in this process: its exit status, stdout and stderr (never a traceback)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def one_line(err: str) -> str:
    """The one line a command said on stderr (fails the test when it said more, or a traceback)."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def urls(server) -> list[str]:
    """The options that point a command at a sandbox served on loopback."""
    return ["--api-url", server.url, "--auth-url", server.url]


def write_config(text: str) -> None:
    """The config file says ``text`` (private, as pickterm writes it)."""
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)


# ---------------------------------------------------------------- clients and the outbox


async def no_sleep(_: float) -> None:
    """A client's or an outbox's sleep between retries, over at once."""
    return None


def offline_client() -> PickPackClient:
    """A client whose every request fails as on a network that is unreachable."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network is unreachable", request=request)

    return PickPackClient(
        DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=httpx.MockTransport(refuse), sleep=no_sleep
    )


def patches(sandbox: Sandbox) -> list[str]:
    """The paths of the PATCH requests the sandbox received, in order."""
    return [r.path for r in sandbox.requests if r.method == "PATCH"]

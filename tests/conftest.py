"""Shared fixtures: where the API contract is, isolated config/state dirs for every test,
the local time zone and the tracking form's "now", error dialogs that do not flash, a sandbox
served on loopback, the local store."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FROZEN_NOW = datetime(2025, 2, 11, 12, 30, tzinfo=UTC)
"""The tracking form's "now" under the ``frozen_now`` fixture."""


def find_spec() -> Path | None:
    """The vendor's OpenAPI spec: $PICKTERM_SPEC, else ../shared/pick-and-pack-api.json beside the repo."""
    candidates = [os.environ.get("PICKTERM_SPEC"), ROOT.parent / "shared" / "pick-and-pack-api.json"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def require_spec() -> Path:
    path = find_spec()
    if path is None:
        reason = "the API contract was not found: set PICKTERM_SPEC or put it at ../shared/pick-and-pack-api.json"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def spec() -> dict:
    return json.loads(require_spec().read_text())


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own config and state dirs and no PICKTERM_* from the caller."""
    base = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(base / name.lower()))
    for name in list(os.environ):
        if name.startswith("PICKTERM_") and name != "PICKTERM_SPEC":
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """Every test starts in English, whatever the machine's locale; one that switches the
    language (``set_language``) does not leave it switched for the next."""
    from pickterm.i18n import set_language

    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def time_zone():
    """Call it with a zone name ("UTC", "America/Sao_Paulo") to make that the local time of the test;
    the caller's zone is back afterwards."""
    before = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def utc(time_zone):
    """Local time is UTC: dates shown in local time are the same on every machine."""
    time_zone("UTC")


@pytest.fixture
def frozen_now(monkeypatch):
    """The tracking form's "now" is FROZEN_NOW, so its prefilled dates are known."""
    from pickterm.screens.tracking import TrackingScreen

    monkeypatch.setattr(TrackingScreen, "clock", staticmethod(lambda: FROZEN_NOW))


@pytest.fixture(autouse=True)
def _record_toasts(monkeypatch):
    """Every toast an app shows is kept in ``app.shown_toasts`` (read by apphelpers.notifications):
    a toast's own timeout, which a loaded machine can outrun, never hides it from a test."""
    from textual.app import App

    notify = App.notify

    def recording(self, message, *args, **kwargs):
        self.__dict__.setdefault("shown_toasts", []).append(str(message))
        return notify(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", recording)


@pytest.fixture
def server(monkeypatch):
    """A sandbox served on loopback (``.url``, ``.sandbox``), and the demo key in PICKTERM_API_KEY."""
    from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread

    monkeypatch.setenv("PICKTERM_API_KEY", DEMO_API_KEY)
    with serve_in_thread(Sandbox()) as handle:
        yield handle


@pytest.fixture
def db():
    """The local store (the test's own state dir), closed afterwards."""
    from pickterm.store.state import StateDB

    with StateDB.open() as handle:
        yield handle


@pytest.fixture
def store(tmp_path):
    """A local store in a file of the test's own (not the state dir's), closed afterwards."""
    from pickterm.store.state import StateDB

    with StateDB.open(path=tmp_path / "state.db") as handle:
        yield handle


@pytest.fixture
def no_flash(monkeypatch):
    """A walkthrough's error dialog has finished flashing as soon as it shows (for a snapshot)."""
    from pickterm.screens import walkthrough_dialogs

    monkeypatch.setattr(walkthrough_dialogs, "FLASH_SECONDS", 0)


@pytest.fixture
def fake():
    """A loopback label printer (tests/fakeprinter.py) for one test: it records the jobs and answers ~HS."""
    from fakeprinter import FakePrinter

    with FakePrinter() as printer:
        yield printer


@pytest.fixture(autouse=True)
def pause_waits_for_saves(monkeypatch):
    """Every action of the walk is saved on a worker thread before it shows: a test's pause also
    lets the saves under way finish (and be shown), as a picker sees them a moment later. The
    tests of a held store turn this off (``pause_waits_for_saves.on = False``): there the save waits."""
    from types import SimpleNamespace

    from textual.pilot import Pilot

    from pickterm.screens.walkthrough import WalkthroughScreen

    pause = Pilot.pause
    waiting = SimpleNamespace(on=True)

    async def pause_and_saves(self, delay=None) -> None:
        await pause(self, delay)
        for _ in range(1000 if waiting.on else 0):  # far more than any save needs
            if not any(isinstance(s, WalkthroughScreen) and getattr(s, "saving", False) for s in self.app.screen_stack):
                return
            await asyncio.sleep(0.005)
            await pause(self)

    monkeypatch.setattr(Pilot, "pause", pause_and_saves)
    return waiting

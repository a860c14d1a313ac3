"""Regenerate every SVG in screenshots/: each screen of the demo at 80x24 and 40x16, and a
few in Spanish and Brazilian Portuguese at 40x16.

    python screenshots/generate.py                   # all of them
    python screenshots/generate.py walkthrough-es    # only the scenes named

Runs the app headless on the embedded sandbox (its own temporary state), in UTC so
the pictures do not depend on the machine's time zone.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {"80x24": (80, 24), "40x16": (40, 16)}


BACKGROUND = {"outbox", "token", "store-watch"}  # the app's own long-running workers


async def settle(pilot, timeout: float = 10.0) -> None:
    """Wait until the screen's workers are done (not the app's background ones)."""
    await pilot.app.ready()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        busy = [w for w in pilot.app.workers if not w.is_finished and w.group not in BACKGROUND]
        if not busy:
            break
    await pilot.pause(0.1)


def scenes():
    from pickterm.sandbox import data as d

    async def home(pilot):
        pass

    async def order(pilot):
        pilot.app.open("order", d.ORDER_REPLACED)

    async def worksheets(pilot):
        pilot.app.open("worksheets", d.ORDER_EMPTY_WORKSHEET)

    async def walkthrough(pilot):
        pilot.app.open("worksheet", d.WS_MAIN)

    async def walkthrough_error(pilot):
        pilot.app.open("worksheet", d.WS_MAIN)
        await settle(pilot)
        await pilot.press(*"4006381333932", "enter")  # a misread: bad check digit

    async def walkthrough_list(pilot):
        pilot.app.open("worksheet", d.WS_MAIN)
        await settle(pilot)
        await pilot.press("f4")

    async def walkthrough_summary(pilot):
        pilot.app.open("worksheet", d.WS_MAIN)
        await settle(pilot)
        await pilot.press("f12")

    async def shipments(pilot):
        pilot.app.open("shipments", d.ORDER_DELIVERED)

    async def shipment(pilot):
        pilot.app.open("tracking", d.TRACK_DELIVERED)

    async def facility(pilot):
        pilot.app.open("facility", d.FACILITY_MDE)

    async def tracking(pilot):
        pilot.app.open("track", d.ORDER_ON_ROUTE)

    async def outbox(pilot):
        pilot.app.open("outbox")

    async def pack(pilot):
        with pilot.app.state.write() as conn:  # every picture starts the packing afresh
            conn.execute("DELETE FROM pack_event")
        pilot.app.open("pack", d.ORDER_COP)
        await settle(pilot)
        await pilot.press(*"7791286502526", "enter")

    async def pack_error(pilot):
        await pack(pilot)
        await settle(pilot)
        await pilot.press(*"7896081314234", "enter")

    async def help_screen(pilot):
        pilot.app.open("order", d.ORDER_REPLACED)
        await settle(pilot)
        await pilot.press("f1")

    return {
        "home": home,
        "order": order,
        "worksheets": worksheets,
        "walkthrough": walkthrough,
        "walkthrough-error": walkthrough_error,
        "walkthrough-list": walkthrough_list,
        "walkthrough-summary": walkthrough_summary,
        "shipments": shipments,
        "shipment": shipment,
        "facility": facility,
        "tracking": tracking,
        "outbox": outbox,
        "pack": pack,
        "pack-error": pack_error,
        "help": help_screen,
    }


# Scenes shown in a language other than English, on the handheld: name -> (language, scene).
def translated_scenes():
    shown = scenes()
    return {
        "walkthrough-es": ("es", shown["walkthrough"]),
        "walkthrough-error-pt-BR": ("pt-BR", shown["walkthrough-error"]),
        "pack-es": ("es", shown["pack"]),
    }


async def shoot(name: str, scene, size: tuple[int, int], label: str, language: str = "en") -> Path:
    from pickterm.app import PickTermApp
    from pickterm.i18n import set_language

    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await scene(pilot)
        await settle(pilot)
        path = HERE / f"{name}-{label}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


# The tracking form prefills "now": a fixed moment keeps the pictures the same run after run.
SHOWN_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


async def main() -> int:
    from pickterm.screens.tracking import TrackingScreen

    os.environ["TZ"] = "UTC"
    time.tzset()
    TrackingScreen.clock = staticmethod(lambda: SHOWN_NOW)
    with tempfile.TemporaryDirectory() as tmp:
        for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            os.environ[var] = str(Path(tmp) / var.lower())
        wanted = set(sys.argv[1:])
        for name, scene in scenes().items():
            if wanted and name not in wanted:
                continue
            for label, size in SIZES.items():
                path = await shoot(name, scene, size, label)
                print(f"wrote {path.relative_to(HERE.parent)}")
        for name, (language, scene) in translated_scenes().items():
            if wanted and name not in wanted:
                continue
            path = await shoot(name, scene, SIZES["40x16"], "40x16", language)
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    raise SystemExit(asyncio.run(main()))

"""Server text is hostile: every string of every order, worksheet, shipment and facility
carries terminal escapes (clear screen, cursor home, colour, window title, clipboard,
links), BEL, BS, NUL, DEL, CR/LF and bidi overrides. Every screen still draws a clean
frame: what Textual writes to the terminal holds no control character from the server,
no colour the server chose, and the server's text itself is still shown.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pickterm.app import PickTermApp
from pickterm.connect import demo_client
from pickterm.sandbox import Sandbox, data

from apphelpers import settle, text_of

EVIL = (
    "\x1b[2J\x1b[H\x1b[31mRED"  # clear, home, red
    "\x1b]0;PWNED\x07"  # window title
    "\x1b]52;c;aGVsbG8=\x07"  # clipboard
    "\x1b]8;;https://evil.invalid\x1b\\link\x1b]8;;\x1b\\"  # hyperlink
    "\x9b31m\x08\x08\x00\x7f\r\n\u202eRTL\u2066x\u2069"  # C1 CSI, BS, NUL, DEL, CRLF, bidi
)

# Everything the terminal may legitimately receive from Textual: SGR and cursor moves.
_TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-9;:?]*[A-Za-z]")
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile(value: Any) -> Any:
    """The same document with EVIL appended to every string (keys and numbers kept)."""
    if isinstance(value, str):
        return value + EVIL
    if isinstance(value, list):
        return [hostile(v) for v in value]
    if isinstance(value, dict):
        return {k: hostile(v) for k, v in value.items()}
    return value


def hostile_sandbox() -> Sandbox:
    sandbox = Sandbox()
    for name in ("_orders", "_worksheets", "_facilities", "_shipments"):
        table = getattr(sandbox, name)
        setattr(sandbox, name, {key + EVIL: hostile(doc) for key, doc in table.items()})
    return sandbox


def h(ident: str) -> str:
    return ident + EVIL


def frame_problems(app: PickTermApp) -> list[str]:
    """What is wrong with the frame Textual writes for the current screen (empty when clean)."""
    # No public API hands out the segments Textual writes for a frame (export_screenshot drops
    # control characters and colours), so this reads the compositor; Textual is pinned.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    problems = []
    for line in update.strips:
        for strip in line:
            for segment in strip:
                if segment.control is None and _BAD.search(segment.text):
                    problems.append(f"control character drawn: {segment.text!r}")
    written = update.render_segments(app.console)
    leftover = _TEXTUAL_SEQUENCE.sub("", written).replace("\n", "")
    if _BAD.search(leftover):
        problems.append(f"control character written: {_BAD.search(leftover).group()!r}")
    for sequence in ("\x1b[2J", "\x1b[31m", "\x1b]", "\x07", "\x1b[H"):
        if sequence in written:
            problems.append(f"sequence written: {sequence!r}")
    return problems


def frame_text(app: PickTermApp) -> str:
    # No public API hands out the segments Textual writes for a frame (export_screenshot drops
    # control characters and colours), so this reads the compositor; Textual is pinned.
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join(
        "".join(seg.text for strip in line for seg in strip if seg.control is None) for line in update.strips
    )


SCREENS = [
    ("order", "order", (h(data.ORDER_REPLACED),)),
    ("worksheets", "worksheets", (h(data.ORDER_TWO_WORKSHEETS),)),
    ("walkthrough", "worksheet", (h(data.WS_MAIN),)),
    ("shipments", "shipments", (h(data.ORDER_ON_ROUTE),)),
    ("shipment", "shipment", (h(data.SHIP_PENDING),)),
    ("facility", "facility", (h(data.FACILITY_CDMX),)),
    ("tracking", "track", (h(data.ORDER_DELIVERED),)),
    ("error panel", "order", ("404" + EVIL,)),  # the server repeats the id in its message
]


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
@pytest.mark.parametrize("name,kind,args", SCREENS, ids=[s[0] for s in SCREENS])
async def test_every_screen_draws_hostile_server_text_as_plain_text(name, kind, args, size):
    sandbox = hostile_sandbox()
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.open(kind, *args)
        await settle(pilot)
        assert type(app.screen).__name__ != "LookupScreen"
        shown = frame_text(app)
        assert "[2J" in shown, f"the {name} screen shows no server text:\n{shown}"
        assert frame_problems(app) == []
        # What is scrolled out of view is drawn too once the picker scrolls: every text of the screen.
        everything = text_of(app.screen, "Static")
        assert "[2J" in everything and not _BAD.search(everything), _BAD.search(everything)
        if name == "error panel":
            assert app.screen.query_one("#error-panel").display
            assert "not found" in shown


async def test_the_walkthrough_dialogs_draw_hostile_text_as_plain_text():
    sandbox = hostile_sandbox()
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox))
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        app.open("worksheet", h(data.WS_MAIN))
        await settle(pilot)
        for key in ("f12", "escape", "l", "escape"):
            await pilot.press(key)
            await settle(pilot)
            assert frame_problems(app) == [], key
            everything = text_of(app.screen, "Static")
            assert not _BAD.search(everything), (key, _BAD.search(everything))


def test_the_frame_check_catches_a_leak():
    """The check itself: the raw text in a Static is caught (so a passing test means something)."""
    from textual.app import App
    from textual.content import Content
    from textual.widgets import Static

    class Leaky(App):
        def compose(self):
            yield Static(Content("item" + EVIL))

    import asyncio

    async def run() -> list[str]:
        app = Leaky()
        async with app.run_test(size=(40, 16)) as pilot:
            await pilot.pause()
            return frame_problems(app)  # type: ignore[arg-type]

    assert asyncio.run(run()) != []


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
async def test_the_outbox_draws_hostile_text_as_plain_text(size):
    """A write refused by a server whose message carries escapes (an id with escapes is
    refused before it is queued: see test_cli_outbox_faults)."""
    from pickterm.api.models import TrackingUpdate

    sandbox = Sandbox()
    plain_error = sandbox._error
    sandbox._error = lambda kind, code, message: plain_error(kind, code, message + EVIL)  # type: ignore[method-assign]
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        client = await app.client()
        # Not invoiced: the server refuses it and the entry stays, with the server's message.
        outcome = await app.outbox.submit(
            client, data.ORDER_NOT_INVOICED, TrackingUpdate(delivered_date="2025-02-11T12:00:00Z")
        )
        assert outcome.state == "failed"
        app.open("outbox")
        await settle(pilot)
        everything = text_of(app.screen, "Static")
        assert "[2J" in everything and not _BAD.search(everything)
        assert frame_problems(app) == []


async def test_a_broken_record_is_named_and_the_rest_of_the_order_still_shows():
    sandbox = Sandbox()
    order = sandbox._orders[data.ORDER_REPLACED]
    broken = order["pickedItems"][1]
    broken["quantity"] = "many"  # display only: read tolerantly
    broken["ean"] = {"gtin": 1}  # matched against scans: strict
    order["replacedItems"][0]["name"] = ["any", "JSON"]  # no type in the contract
    app = PickTermApp(demo=True, sandbox=sandbox, client=demo_client(sandbox))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open("order", data.ORDER_REPLACED)
        await settle(pilot)
        assert type(app.screen).__name__ == "OrderScreen"
        panel = str(app.screen.query_one("#error-panel").render())
        assert "Part of the server's answer could not be read" in panel
        assert f"pickedItems[1] (id {broken['id']}): ean:" in panel
        shown = text_of(app.screen, "Static")
        assert order["pickedItems"][0]["itemName"] in shown
        assert broken["itemName"] not in shown

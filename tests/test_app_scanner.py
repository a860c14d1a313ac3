"""Scanner safety at 40x16: a scan counts where it was meant, and nowhere else.

A wedge scanner's burst is sent as it arrives from a terminal: every key at once. The
key clock is injected (``clock``): a burst is keys read at the same instant, a person's
key comes a second after the one before. Nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import OptionList, Static

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.confirm import ConfirmScreen
from pickterm.screens.walkthrough import WalkthroughScreen
from pickterm.screens.walkthrough_dialogs import ItemListDialog, ScanErrorDialog, ShortReasonDialog, SummaryDialog
from pickterm.widgets.scan_input import BurstGuard

from apphelpers import (
    held_answer_given,
    key_name,
    notifications,
    open_screen,
    open_walk,
    settle,
    static_text,
    until,
    wedge,
)

SIZE = (40, 16)
A_SCAN = "8401500428929"  # a valid EAN of no item: its digit 4 was once taken as the reason "expired"


class Clock:
    """The key clock: still while a burst arrives, a second on for every key a person presses."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(BurstGuard, "clock", staticmethod(fake))
    monkeypatch.setattr(WalkthroughScreen, "clock", staticmethod(fake))
    return fake


async def scan(pilot, clock: Clock, code: str) -> None:
    """A scan, a while after the last key: a burst of keys, then Enter."""
    clock.advance()
    await wedge(pilot, code)


async def person(pilot, clock: Clock, *keys: str) -> None:
    """Keys pressed by a person: one at a time, far apart (a question takes a y or n once the
    burst threshold has passed: that is waited for too)."""
    for key in keys:
        clock.advance()
        await pilot.press(key)
        await held_answer_given(pilot)
    await pilot.pause()


def post_keys(app, text: str) -> None:
    """Characters as one read from the terminal delivers them; newline is Enter."""
    for char in text:
        if char == "\n":
            app.post_message(events.Key("enter", "\r"))
        else:
            app.post_message(events.Key(key_name(char), char))


def bells(app) -> list[int]:
    rung: list[int] = []
    app.bell = lambda: rung.append(1)
    return rung


def not_counted_line(screen) -> str:
    line = screen.query_one("#not-counted", Static)
    return str(line.render()) if line.display else ""


def picks(app, worksheet_id: str = data.WS_MAIN) -> list[str]:
    return [e.item_id for e in app.state.pick_events(worksheet_id)]


# ---------------------------------------------------------------- 1. a scan never answers a dialog


async def test_a_scan_answers_no_dialog_of_the_walkthrough(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        rung = bells(app)
        current = screen.model.current_id
        # The short-pick dialog: the scan chooses no reason, raises no error, shorts nothing.
        await person(pilot, clock, "f9")
        dialog = app.screen
        assert isinstance(dialog, ShortReasonDialog)
        await scan(pilot, clock, A_SCAN)
        assert app.screen is dialog and dialog.query_one(OptionList).highlighted is None
        assert not_counted_line(dialog).startswith(f"Not counted: {A_SCAN}")
        assert rung and app.state.load_progress(data.WS_MAIN).item(current).state == "todo"
        # A bare Enter chooses nothing either; a digit then Enter does.
        await person(pilot, clock, "enter")
        assert app.screen is dialog
        await person(pilot, clock, "2")
        assert app.screen is dialog  # a digit only chooses; Enter confirms
        await scan(pilot, clock, A_SCAN)  # a scan now takes back nothing the person chose
        assert dialog.query_one(OptionList).highlighted == 1
        await person(pilot, clock, "enter")
        saved = app.state.load_progress(data.WS_MAIN).item(current)
        assert (saved.state, saved.reason) == ("short", "damaged")
        assert isinstance(app.screen, WalkthroughScreen)
        # The item list: the scan's Enter opens nothing.
        await person(pilot, clock, "f4")
        dialog = app.screen
        assert isinstance(dialog, ItemListDialog)
        await person(pilot, clock, "down", "down")
        before = screen.model.current_id
        await scan(pilot, clock, A_SCAN)
        assert app.screen is dialog and screen.model.current_id == before
        assert f"Not counted: {A_SCAN}" in notifications(app)
        await person(pilot, clock, "escape")
        # The summary: the scan's Enter does not close it unseen.
        await person(pilot, clock, "f12")
        dialog = app.screen
        assert isinstance(dialog, SummaryDialog)
        await scan(pilot, clock, A_SCAN)
        assert app.screen is dialog and not_counted_line(dialog).startswith(f"Not counted: {A_SCAN}")
        await person(pilot, clock, "enter")  # a person's Enter closes it
        assert isinstance(app.screen, WalkthroughScreen)
        # The blocking error: not counted, as before.
        await scan(pilot, clock, A_SCAN)
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        await scan(pilot, clock, A_SCAN)
        assert app.screen is dialog and "Not counted: " + A_SCAN in str(
            dialog.query_one("#scan-error-ignored").render()
        )
        assert len(picks(app)) == 0


@pytest.mark.parametrize("code", ["4006381333931", "2001234002004", "3*4006381333931"])
async def test_a_scan_that_starts_with_a_reason_digit_leaves_no_reason_chosen(clock, code):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        current = screen.model.current_id
        await person(pilot, clock, "f9")
        dialog = app.screen
        assert isinstance(dialog, ShortReasonDialog)
        reasons = dialog.query_one(OptionList)
        await scan(pilot, clock, code)  # its first digit is a reason's
        await pilot.pause()
        assert app.screen is dialog and reasons.highlighted is None  # back to no choice
        assert not_counted_line(dialog).startswith(f"Not counted: {code}")
        await person(pilot, clock, "enter")  # a lone Enter now: no reason is chosen, nothing is shorted
        assert app.screen is dialog and app.state.load_progress(data.WS_MAIN).item(current).state == "todo"
        # After a person's choice, a scan takes back only what it did itself.
        await person(pilot, clock, "2")
        await scan(pilot, clock, code)
        await pilot.pause()
        assert reasons.highlighted == 1
        await person(pilot, clock, "enter")
        saved = app.state.load_progress(data.WS_MAIN).item(current)
        assert (saved.state, saved.reason) == ("short", "damaged")


async def test_a_scan_is_no_answer_to_a_question(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        answers: list[bool] = []
        app.push_screen(ConfirmScreen("Quit anyway?", yes="Quit", no="Stay"), answers.append)
        await pilot.pause()
        dialog = app.screen
        await scan(pilot, clock, A_SCAN)  # its Enter is no yes
        await scan(pilot, clock, "7ynY")  # y and n inside a burst answer nothing
        assert app.screen is dialog and answers == []
        assert not_counted_line(dialog).startswith("Not counted: 7ynY")
        await person(pilot, clock, "enter")  # a person's Enter is no answer either
        assert app.screen is dialog and answers == []
        await person(pilot, clock, "y")  # a person's y is yes
        assert answers == [True]
        app.push_screen(ConfirmScreen("Quit anyway?"), answers.append)
        await pilot.pause()
        await person(pilot, clock, "n")
        assert answers == [True, False]


async def test_a_scan_that_starts_with_y_discards_no_outbox_entry(clock):
    from test_app_outbox import failed_entry, open_outbox

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entry = await failed_entry(app)
        screen = await open_outbox(pilot)
        await person(pilot, clock, "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and dialog.question.startswith(f"Discard outbox entry #{entry.id} ")
        await scan(pilot, clock, "yz123")  # its y came first, then the rest of the scan
        await held_answer_given(pilot)  # the threshold has passed: the y was a scan's, it answers nothing
        await settle(pilot)
        assert app.screen is dialog and app.outbox.get(entry.id) is not None
        assert not_counted_line(dialog).startswith("Not counted: yz123")
        await scan(pilot, clock, "y")  # a y and its Enter at once: a scan too
        await held_answer_given(pilot)
        assert app.screen is dialog and app.outbox.get(entry.id) is not None
        await person(pilot, clock, "y")  # a person's lone y discards it
        await settle(pilot)
        assert app.screen is screen and app.outbox.get(entry.id) is None


async def test_a_scan_that_starts_with_y_does_not_quit_with_a_write_pending(clock):
    from pickterm.api.models import TrackingUpdate

    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.sandbox.fail_rate = 1.0  # the write stays pending
        app.outbox.add(data.ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"))
        app.store.recount()
        await settle(pilot)
        await person(pilot, clock, "ctrl+q")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and "not sent yet" in dialog.question
        await scan(pilot, clock, "y" + data.ORDER_ON_ROUTE)  # an order id that starts the scan with y...
        await held_answer_given(pilot)
        await settle(pilot)
        assert app.is_running and app.screen is dialog and app.return_code is None
        await scan(pilot, clock, "n" + A_SCAN)  # ...or with n: it answers nothing either
        await held_answer_given(pilot)
        assert app.is_running and app.screen is dialog
        await person(pilot, clock, "y")  # a person's y quits
    assert app.return_code == 0


async def test_a_scan_on_the_worksheets_list_is_reported_not_opened(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, "worksheets", data.ORDER_EMPTY_WORKSHEET)
        rung = bells(app)
        await scan(pilot, clock, A_SCAN)
        await settle(pilot)
        assert app.screen is screen  # the highlighted worksheet did not open
        assert f"Not counted: {A_SCAN}" in notifications(app) and rung
        await person(pilot, clock, "enter")  # a person's Enter opens it
        await settle(pilot)
        assert isinstance(app.screen, WalkthroughScreen)


# ---------------------------------------------------------------- 2. scans that arrive together


def scans_in_walk_order(model, count: int) -> tuple[list[str], list[str]]:
    """The first ``count`` scans a picker makes walking the worksheet, and the items they count."""
    codes: list[str] = []
    items: list[str] = []
    for item_id in model.walk:
        item = model.items[item_id]
        if len(codes) >= count:
            break
        if item.settled:
            continue
        assert item.ean and not item.ean.startswith("2"), item.name  # no scale label among them
        for _ in range(item.left):
            codes.append(item.ean)
            items.append(item_id)
    return codes[:count], items[:count]


@pytest.mark.parametrize("count", [2, 5, 20])
async def test_scans_that_arrive_together_are_each_counted_in_order(clock, count):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        codes, items = scans_in_walk_order(screen.model, count)
        assert len(codes) == count
        post_keys(app, "".join(f"{code}\n" for code in codes))
        await until(pilot, lambda: len(picks(app)) == count, f"{count} picks")
        await pilot.pause()
        assert picks(app) == items
        assert isinstance(app.screen, WalkthroughScreen) and screen.scan_field.value == ""
        assert [e.code for e in app.state.pick_events(data.WS_MAIN)] == codes


async def test_a_right_scan_then_a_wrong_one_in_one_burst(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        right = screen.model.current.ean
        post_keys(app, f"{right}\n{A_SCAN}\n")
        await until(pilot, lambda: isinstance(app.screen, ScanErrorDialog), "the error")
        assert picks(app) == [screen.model.walk[0]]  # the first counted
        shown = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert f"Scanned {A_SCAN}" in shown and "UNKNOWN CODE" in shown  # the second, alone, refused


async def test_a_scan_split_across_two_reads(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        code = screen.model.current.ean
        first = screen.model.current_id
        post_keys(app, code[:6])
        await pilot.pause()
        assert picks(app) == []
        post_keys(app, code[6:] + "\n")
        await until(pilot, lambda: picks(app) == [first], "the pick")
        # Pasted text (a terminal delivering several codes at once) is split too.
        second = screen.model.current
        app.screen.query_one("#scan").post_message(events.Paste(f"{second.ean}\r\n{A_SCAN}\r\n"))
        await until(pilot, lambda: isinstance(app.screen, ScanErrorDialog), "the error")
        assert picks(app) == [first, second.id]


# ---------------------------------------------------------------- 3. Esc acknowledges, and never leaves by accident


async def test_a_double_esc_after_an_error_stays_and_the_next_scan_counts(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        await scan(pilot, clock, A_SCAN)
        assert isinstance(app.screen, ScanErrorDialog)
        await pilot.press("escape", "escape")  # within a second of each other
        await pilot.pause()
        assert app.screen is screen and "Esc ignored" in static_text(app, "#walk-feedback")
        await scan(pilot, clock, screen.model.current.ean)
        assert len(picks(app)) == 1  # counted, not dropped on another screen
        clock.advance(2)
        await scan(pilot, clock, A_SCAN)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f3")  # F3 leaves at any time
        await pilot.pause()
        assert app.screen is not screen


async def test_esc_leaves_when_no_error_was_just_shown(clock):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_walk(pilot)
        await scan(pilot, clock, A_SCAN)
        await pilot.press("escape")
        await pilot.pause()
        clock.advance(1.5)
        await pilot.press("escape")
        await pilot.pause()
        assert screen not in app.screen_stack


SCREENS_WITHOUT_A_SCAN_FIELD = [
    pytest.param("order", (data.ORDER_COP,), id="order"),
    pytest.param("shipments", (data.ORDER_DELIVERED,), id="shipments"),
    pytest.param("shipment", (data.SHIP_DELIVERED,), id="shipment"),
    pytest.param("facility", (data.FACILITY_CDMX,), id="facility"),
    pytest.param("outbox", (), id="outbox"),
]


@pytest.mark.parametrize(("kind", "args"), SCREENS_WITHOUT_A_SCAN_FIELD)
async def test_a_scan_on_a_screen_that_cannot_use_it_is_reported(clock, kind, args):
    app = PickTermApp(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, kind, *args)
        rung = bells(app)
        await scan(pilot, clock, A_SCAN)
        await settle(pilot)
        assert app.screen is screen and f"Not counted: {A_SCAN}" in notifications(app) and rung
        # The help screen (F1) takes no scan either.
        await person(pilot, clock, "f1")
        help_screen = app.screen
        assert type(help_screen).__name__ == "HelpScreen"
        await scan(pilot, clock, "4006381333931")
        assert app.screen is help_screen and "Not counted: 4006381333931" in notifications(app)

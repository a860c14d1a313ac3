"""Back (F3/Esc) and Home (F2) through the LeaveGuard interface: a screen that may hold
unsent work is asked before it goes, every other screen just goes, home always stays."""

from __future__ import annotations

from pickterm.app import PickTermApp
from pickterm.screens.base import BaseScreen, LeaveGuard
from pickterm.screens.lookup import LookupScreen

from apphelpers import settle


class Plain(BaseScreen):
    TITLE = "Plain"


class Guarded(LeaveGuard):
    """A form whose answer to "may I leave?" the test decides."""

    TITLE = "Guarded"

    def __init__(self) -> None:
        super().__init__()
        self.may_go = False
        self.asked = 0

    async def confirm_leave(self) -> bool:
        self.asked += 1
        return self.may_go


async def test_a_guarded_screen_is_asked_once_and_the_plain_ones_below_just_go():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        home = app.screen
        plain, guarded = Plain(), Guarded()
        app.push_screen(plain)
        app.push_screen(guarded)
        await settle(pilot)

        await pilot.press("f2")  # the form says no: nothing leaves
        await settle(pilot)
        assert app.screen_stack == [home, plain, guarded] and guarded.asked == 1

        await pilot.press("escape")
        await settle(pilot)
        assert app.screen_stack == [home, plain, guarded] and guarded.asked == 2

        guarded.may_go = True
        await pilot.press("f2")  # asked once more, then both go; home stays
        await settle(pilot)
        assert app.screen_stack == [home] and guarded.asked == 3
        assert isinstance(app.screen, LookupScreen)

        await pilot.press("f3", "f2")  # nothing above home: nothing to leave
        await settle(pilot)
        assert app.screen_stack == [home] and app.is_running


async def test_a_form_left_after_a_yes_is_not_asked_again():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        form = LeaveGuard()
        app.push_screen(form)
        await settle(pilot)
        assert await form.confirm_leave()  # a screen with nothing unsent goes without a question
        worker = app.run_worker(form.ask_to_leave("Leave?"), exit_on_error=False)
        await pilot.pause()
        await pilot.press("y")
        assert await worker.wait() is True
        assert form.leaving

"""What every screen shares: F1 help, the command palette, themes (and NO_COLOR), global keys."""

from __future__ import annotations

import asyncio

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from pickterm.app import PickTermApp
from pickterm.sandbox import data
from pickterm.screens.lookup import LookupScreen

from apphelpers import answer, open_screen, settle, static_text


def help_text(app) -> str:
    return static_text(app, "#help-text")


async def test_f1_on_the_order_screen_lists_its_keys_and_the_global_ones():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", data.ORDER_REPLACED)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        text = help_text(app)
        screen_part, global_part = text.split("Everywhere")
        assert "Order keys" in screen_part
        for key, action in (
            ("w", "Worksheets"),
            ("s", "Shipments"),
            ("t", "Tracking"),
            ("f", "Facility"),
            ("f5", "Refresh"),
        ):
            assert f"{key}  {action}" in screen_part.replace("F5", "f5")
        for action in ("Help", "Home", "Back", "Quit"):
            assert action in global_part
        assert "items by state" in screen_part  # the screen's own sentence
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "OrderScreen"


async def test_f1_on_home_and_on_the_worksheets_screen():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert "Lookup keys" in help_text(app) and "Clear" in help_text(app)
        await pilot.press("escape")
        app.open("worksheets", data.ORDER_COP)
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(app)
        assert "Worksheets keys" in text and "Open" in text and "Facility" in text
        assert "known VTEX race" in text


async def test_palette_offers_the_four_themes_and_each_one_switches():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        for key in ("light", "high-contrast", "monochrome", "dark"):
            commands[f"Theme: {key}"].callback()
            await pilot.pause()
            assert app.theme == f"pickterm-{key}"


async def test_theme_chosen_through_the_palette_by_typing():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Theme: high")
        commands = app.screen.query_one(CommandList)
        for _ in range(100):  # the palette searches in the background
            if commands.option_count:
                break
            await asyncio.sleep(0.02)
            await pilot.pause()
        assert "Theme: high-contrast" in str(commands.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "pickterm-high-contrast"
        assert isinstance(app.screen, LookupScreen)


async def test_no_color_starts_in_monochrome(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PickTermApp(demo=True)
    assert app.theme == "pickterm-monochrome"
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert app.theme == "pickterm-monochrome"


async def test_default_theme_without_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert PickTermApp(demo=True).theme == "pickterm-dark"


async def test_each_theme_given_at_start_draws_as_when_chosen_later(monkeypatch):
    """The theme of the profile is set before the app runs without Textual's watcher: each one
    must look exactly as when the picker chooses it from the palette (its colours, its classes)."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    async def drawn(app: PickTermApp, choose: str | None = None) -> str:
        async with app.run_test(size=(40, 16)) as pilot:
            await settle(pilot)
            if choose is not None:
                app.action_use_theme(choose)
            await pilot.pause()
            await pilot.pause()
            return app.export_screenshot()

    for key in ("light", "high-contrast", "monochrome"):
        given = PickTermApp(demo=True, theme=key)
        chosen = PickTermApp(demo=True)
        screen_given, screen_chosen = await drawn(given), await drawn(chosen, key)
        assert given.theme == chosen.theme == f"pickterm-{key}"
        assert given.has_class(f"-theme-pickterm-{key}")
        assert screen_given == screen_chosen, key


async def test_f3_goes_back_one_screen_and_f2_goes_home():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#lookup-input", Input)
        field.value = data.ORDER_COP
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert type(app.screen).__name__ == "FacilityScreen"
        await pilot.press("f3")
        await pilot.pause()
        assert type(app.screen).__name__ == "WorksheetsScreen"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)
        assert field.value == data.ORDER_COP
        # Back on home does nothing more: home is the bottom.
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


async def test_ctrl_q_quits_when_the_outbox_is_empty():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_asks_first_when_the_outbox_holds_writes():
    from pickterm.api.models import TrackingUpdate

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        # The server refuses tracking of an order that is not invoiced: the write stays, failed.
        app.outbox.add(data.ORDER_NOT_INVOICED, TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"))
        app.store.recount()
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await answer(pilot, "n")
        assert isinstance(app.screen, LookupScreen) and app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot)
        await answer(pilot, "y")
    assert app.return_code == 0


async def test_the_quit_question_says_failed_writes_are_not_resent():
    from pickterm.api.models import TrackingUpdate
    from pickterm.store.outbox import Target

    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        client = await app.client()
        target = Target.of(client)
        entry = app.outbox.add(data.ORDER_NOT_INVOICED, TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"), target)
        await app.outbox.send(entry.id, client)  # refused: not invoiced
        app.sandbox.fail_rate = 1.0
        app.outbox.add(data.ORDER_ON_ROUTE, TrackingUpdate(delivered_date="2025-02-11T10:00:00Z"), target)
        app.store.recount()
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        question = app.screen.question
        assert "1 tracking write refused by the server" in question
        assert "never sent again unless you edit or resend them" in question
        assert "1 tracking write not sent yet" in question and "sent when pickterm runs again" in question
        assert "are kept and sent next time" not in question
        await answer(pilot, "y")
    assert app.return_code == 0


async def test_the_quit_question_says_which_writes_may_have_been_sent_not_refused():
    from pickterm.api.models import TrackingEvent, TrackingUpdate
    from pickterm.store.outbox import Target

    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        event = TrackingUpdate(
            events=[TrackingEvent(city="Lima", state="LIM", description="Out", date="2025-02-10T08:00:00Z")]
        )
        entry = app.outbox.add(data.ORDER_ON_ROUTE, event, Target.of(await app.client()))
        with app.outbox.db.write() as conn:  # its sender died mid-flight: it may have reached the server
            conn.execute("UPDATE outbox SET claimed_by = 'elsewhere:1:x', lease_until = 0 WHERE id = ?", (entry.id,))
        app.outbox.settle_interrupted()
        await pilot.press("ctrl+q")
        await settle(pilot)
        question = app.screen.question
        assert "1 tracking write may have been sent" in question and "refused" not in question
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0

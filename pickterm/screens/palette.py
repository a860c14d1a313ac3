"""The command palette's entries: every action of the screen on top by its name, then the
global ones (the App's keys, the kinds of :mod:`pickterm.screens.registry` opened without an
id, the themes and the languages)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pickterm.i18n import LANGUAGE_NAMES, _
from pickterm.screens.registry import palette_entries
from pickterm.widgets.keys import keys_in_effect, shown_description
from pickterm.widgets.themes import THEMES

if TYPE_CHECKING:  # only the type (see tests/test_layers.py)
    from pickterm.app import PickTermApp

__all__ = ["open_palette", "system_commands"]


def system_commands(app: PickTermApp, screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Every action of ``screen`` by its name, then the global ones."""
    seen: set[str] = set()
    for cls in type(screen).__mro__:
        if not cls.__module__.startswith("pickterm"):
            continue
        for binding in getattr(cls, "BINDINGS", []):
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            if not binding.description or binding.description in seen or binding.action.startswith("app."):
                continue
            seen.add(binding.description)
            key = keys_in_effect(app, binding)[0]
            yield SystemCommand(
                shown_description(binding), _("{key} · this screen").format(key=key), _runner(screen, binding.action)
            )
    back = "/".join(dict.fromkeys([app.keys_of("back"), app.keys_of("back.escape")]))
    yield SystemCommand(_("Home"), _("{key} · the lookup screen").format(key=app.keys_of("home")), app.action_home)
    yield SystemCommand(_("Back"), _("{key} · the previous screen").format(key=back), app.action_back)
    yield SystemCommand(
        _("Help"), _("{key} · every key of this screen").format(key=app.keys_of("help")), app.action_help
    )
    for kind, name, help_text in palette_entries(app.demo):
        yield SystemCommand(_(name), _(help_text), _bind(app.open, kind))
    for key in THEMES:
        yield SystemCommand(
            _("Theme: {name}").format(name=key), _("colours (remembered)"), _bind(app.action_use_theme, key)
        )
    for code, name in LANGUAGE_NAMES.items():
        yield SystemCommand(
            _("Language: {name}").format(name=name),
            _("words on screen (remembered)"),
            _bind(app.action_use_language, code),
        )
    yield SystemCommand(_("Quit"), app.keys_of("quit"), app.action_quit)


def _runner(screen: Screen[Any], action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.run_action(action)

    return run


def _bind(func: Callable[..., object], *args: Any) -> Callable[[], None]:
    def call() -> None:
        func(*args)

    return call


def open_palette(app: PickTermApp) -> None:
    """Textual's command palette, its placeholder in the user's language."""
    from textual.command import CommandPalette

    if app.use_command_palette and not isinstance(app.screen, CommandPalette):
        app.push_screen(CommandPalette(placeholder=_("Search for commands…"), id="--command-palette"))

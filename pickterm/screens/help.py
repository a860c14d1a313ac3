"""F1: every key of the screen the user came from, then the global ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from pickterm.i18n import N_, _, current_language
from pickterm.screens.base import BaseScreen
from pickterm.widgets.common import STATUS_WORDS, status_content
from pickterm.widgets.keys import bind, keys_in_effect, shown_description
from pickterm.widgets.scan_input import BurstGuard

# Textual's own bindings that every screen inherits (tab, shift+tab, copy): marked here for the
# catalogs, so the help and the palette show them in the user's language like pickterm's own.
TEXTUAL_DESCRIPTIONS = (N_("Focus Next"), N_("Focus Previous"), N_("Copy selected text"))


def describe_keys(app: App[Any], screen: Screen[Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(screen keys, global keys) as (keys, description) rows, from the bindings themselves."""

    def rows(bindings: Iterable[Binding | tuple[str, str] | tuple[str, str, str]]) -> list[tuple[str, str]]:
        seen: dict[str, list[str]] = {}
        for binding in bindings:
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            if not binding.description or binding.action == "command_palette":
                continue
            keys = keys_in_effect(app, binding)
            seen.setdefault(shown_description(binding), []).extend(keys)
        return [("/".join(dict.fromkeys(keys)), desc) for desc, keys in seen.items()]

    screen_bindings = [
        b for cls in type(screen).__mro__ for b in getattr(cls, "BINDINGS", []) if cls.__module__.startswith("pickterm")
    ]
    return rows(screen_bindings), rows(type(app).BINDINGS)


class HelpScreen(BurstGuard, BaseScreen):
    TITLE = N_("Help")
    BINDINGS = [bind("help", "app.back", description=N_("Close help"), priority=True)]

    def __init__(self, for_screen: Screen[Any]) -> None:
        super().__init__(subtitle=_(getattr(for_screen, "TITLE", "")))
        self.for_screen = for_screen

    def compose_body(self) -> ComposeResult:
        screen_keys, global_keys = describe_keys(self.app, self.for_screen)
        lines: list[Content] = []
        about = getattr(self.for_screen, "HELP", "")
        if about:
            lines += [Content(_(about)), Content("")]
        title = _(getattr(self.for_screen, "TITLE", "")) or _("This screen")
        lines.append(Content.styled(_("{screen} keys").format(screen=title), "bold"))
        lines += [
            Content.assemble(Content.styled(f"{keys:>12}", "bold $accent"), f"  {desc}") for keys, desc in screen_keys
        ] or [Content(_("  (none)"))]
        lines += [Content(""), Content.styled(_("Everywhere"), "bold")]
        lines += [
            Content.assemble(Content.styled(f"{keys:>12}", "bold $accent"), f"  {desc}") for keys, desc in global_keys
        ]
        keymap = getattr(self.app, "key_bindings", None)
        palette = "/".join(keymap.keys_of("palette")) if keymap is not None else "ctrl+p"
        lines += [Content(""), Content(_("{keys} lists every action of this screen by name.").format(keys=palette))]
        if current_language() != "en":  # what each status word is on the server, for a supervisor
            lines += [Content(""), Content.styled(_("Status words and the server's codes"), "bold")]
            lines += [Content.assemble("  ", status_content(code), f"  {code}") for code in STATUS_WORDS]
        with VerticalScroll(id="body"):
            yield Static(Content("\n").join(lines), id="help-text")


def toggle_help(app: App[None]) -> None:
    """F1: the help of the screen on top, or back from it."""
    if isinstance(app.screen, HelpScreen):
        app.pop_screen()
    else:
        app.push_screen(HelpScreen(app.screen))

"""F1: every key of the screen the user came from, then the global ones."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from pickterm.i18n import _
from pickterm.screens.base import BaseScreen
from pickterm.widgets.keys import bind, keys_in_effect
from pickterm.widgets.scan_input import BurstGuard


def describe_keys(app, screen: Screen) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(screen keys, global keys) as (keys, description) rows, from the bindings themselves."""

    def rows(bindings) -> list[tuple[str, str]]:
        seen: dict[str, list[str]] = {}
        for binding in bindings:
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            if not binding.description or binding.action == "command_palette":
                continue
            keys = keys_in_effect(app, binding)
            seen.setdefault(binding.description, []).extend(keys)
        return [("/".join(dict.fromkeys(keys)), desc) for desc, keys in seen.items()]

    screen_bindings = [
        b for cls in type(screen).__mro__ for b in getattr(cls, "BINDINGS", []) if cls.__module__.startswith("pickterm")
    ]
    return rows(screen_bindings), rows(type(app).BINDINGS)


class HelpScreen(BurstGuard, BaseScreen):
    TITLE = "Help"
    BINDINGS = [bind("help", "app.back", description=_("Close help"), priority=True)]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__(subtitle=getattr(for_screen, "TITLE", ""))
        self.for_screen = for_screen

    def compose_body(self) -> ComposeResult:
        screen_keys, global_keys = describe_keys(self.app, self.for_screen)
        lines: list[Content] = []
        about = getattr(self.for_screen, "HELP", "")
        if about:
            lines += [Content(about), Content("")]
        title = getattr(self.for_screen, "TITLE", "This screen")
        lines.append(Content.styled(f"{title} keys", "bold"))
        lines += [
            Content.assemble(Content.styled(f"{keys:>12}", "bold $accent"), f"  {desc}") for keys, desc in screen_keys
        ] or [Content("  (none)")]
        lines += [Content(""), Content.styled("Everywhere", "bold")]
        lines += [
            Content.assemble(Content.styled(f"{keys:>12}", "bold $accent"), f"  {desc}") for keys, desc in global_keys
        ]
        keymap = getattr(self.app, "key_bindings", None)
        palette = "/".join(keymap.keys_of("palette")) if keymap is not None else "ctrl+p"
        lines += [Content(""), Content(f"{palette} lists every action of this screen by name.")]
        with VerticalScroll(id="body"):
            yield Static(Content("\n").join(lines), id="help-text")

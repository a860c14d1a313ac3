"""pickterm's themes: the Textual Theme of each of the config's theme names."""

from __future__ import annotations

import os
from typing import Any

from textual.app import App
from textual.theme import Theme

from pickterm.i18n import _
from pickterm.store.names import THEMES as THEME_NAMES

__all__ = ["THEMES", "THEME_BY_NAME", "save_choice", "start_with_theme", "theme_name"]

# The Theme of each of the config's theme names (pickterm.store.names.THEMES), in that order.
_THEME_OBJECTS = (
    Theme(  # dark
        name="pickterm-dark",
        primary="#4EA1F3",
        secondary="#81A1C1",
        accent="#FFB454",
        warning="#FFD75F",
        error="#FF6B6B",
        success="#7FD962",
        foreground="#E6E6E6",
        background="#121417",
        surface="#1B1F24",
        panel="#262B33",
        dark=True,
    ),
    Theme(  # light
        name="pickterm-light",
        primary="#0B5CAD",
        secondary="#4C6A8A",
        accent="#A04A00",
        warning="#8A6100",
        error="#B00020",
        success="#1E7A1E",
        foreground="#111111",
        background="#FAFAF7",
        surface="#EFEFEA",
        panel="#E0E0DA",
        dark=False,
    ),
    Theme(  # high-contrast
        name="pickterm-high-contrast",
        primary="#FFFF00",
        secondary="#00FFFF",
        accent="#FFFF00",
        warning="#FFFF00",
        error="#FF4040",
        success="#00FF00",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#202020",
        dark=True,
    ),
    Theme(  # monochrome: drawn without any colour (widgets.nocolor): cursors and highlights are reverse
        name="pickterm-monochrome",
        primary="#D0D0D0",
        secondary="#A0A0A0",
        accent="#FFFFFF",
        warning="#E0E0E0",
        error="#FFFFFF",
        success="#C0C0C0",
        foreground="#E0E0E0",
        background="#000000",
        surface="#101010",
        panel="#303030",
        dark=True,
        variables={
            "block-cursor-text-style": "bold reverse",
            "block-cursor-blurred-text-style": "reverse",
            "input-cursor-text-style": "reverse",
            "button-focus-text-style": "bold reverse",
        },
    ),
)
THEMES = dict(zip(THEME_NAMES, _THEME_OBJECTS, strict=True))
THEME_BY_NAME = {theme.name: key for key, theme in THEMES.items()}


def theme_name(key: str | None) -> str:
    """The Theme of a config's theme name (dark when unknown); under ``NO_COLOR``, monochrome."""
    if os.environ.get("NO_COLOR") is not None:
        key = "monochrome"
    return THEMES.get(key or "dark", THEMES["dark"]).name


def start_with_theme(app: App[Any], name: str) -> None:
    """Give ``app`` (not running yet) the theme ``name`` as Textual's watcher of ``App.theme`` does
    (the theme's classes, its ANSI colours, the stylesheet's variables), but without the watcher's
    refresh of the CSS: that parsed every stylesheet on start once more than a Textual app that
    keeps its default theme, ~3.5 ms before the first frame (tests/benchmarks/bench_startup.py).
    The stylesheets are read afterwards, with these variables. Later changes set ``app.theme``."""
    app.set_reactive(App.theme, name)
    dark = app.current_theme.dark
    app.set_class(True, f"-theme-{name}", update=False)
    app.set_class(dark, "-dark-mode", update=False)
    app.set_class(not dark, "-light-mode", update=False)
    app._refresh_truecolor_filter(app.ansi_theme)  # Textual 8.2.8's watcher does this too
    app.stylesheet.set_variables(app.get_css_variables())


def save_choice(app: Any, what: str, value: str, profile: str) -> None:
    """Remember the ``theme`` or the ``language`` chosen in the profile's config (in a thread of
    the App); a failure is a toast."""
    from pickterm.store.config import save_language, save_theme

    try:
        (save_theme if what == "theme" else save_language)(value, profile)
    except Exception as exc:
        failed = _("Theme not saved: {error}") if what == "theme" else _("Language not saved: {error}")
        app.call_from_thread(app.notify, failed.format(error=exc), severity="warning")

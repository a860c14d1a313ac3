"""No colour at all: what ``NO_COLOR`` and the monochrome theme draw with.

Textual's own answer to ``NO_COLOR`` turns colours into greys, which still sends
colour sequences. This filter keeps only bold, dim, reverse and underline, so the
terminal draws in its own foreground and background; the monochrome theme marks
cursors, highlights and the header with reverse instead of a colour.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter


@lru_cache(maxsize=1024)
def _plain(style: Style) -> Style:
    return Style(bold=style.bold, dim=style.dim, reverse=style.reverse, underline=style.underline)


class NoColorAtAll(LineFilter):
    """Every segment without colour, italics, links or blinking: bold, dim, reverse, underline only."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, None if style is None else _plain(style), control) for text, style, control in segments]


def line_filters(app: Any, filters: list[LineFilter]) -> list[LineFilter]:
    """The App's line filters: under ``NO_COLOR`` or the monochrome theme, no colour at all
    (this filter, not Textual's greys)."""
    from textual.filter import Monochrome

    if app.no_color or app.theme == "pickterm-monochrome":
        plain = app.__dict__.setdefault("_plain_filter", NoColorAtAll())
        filters = [f for f in filters if not isinstance(f, Monochrome)] + [plain]
    return filters

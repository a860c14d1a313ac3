"""Small builders of literal text blocks: headings, label/value lines, blocks of lines.

Everything returns ``Content`` built from plain strings, so server text is never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.content import Content

from pickterm.widgets.common import literal


def heading(title: str) -> Content:
    """A section title."""
    return Content.styled(title, "bold $accent")


def labelled(label: str, value: Any, indent: int = 0) -> Content:
    """``label: value``, the label dimmed; a Content value is kept as it is, anything else is literal."""
    shown = value if isinstance(value, Content) else literal("-" if value in (None, "") else value)
    return Content.assemble(" " * indent, Content.styled(f"{label}: ", "dim"), shown)


def block(lines: Iterable[Content]) -> Content:
    """Lines joined into one block."""
    return Content("\n").join(list(lines))

"""Reusable widgets of pickterm's screens."""

from pickterm.widgets.common import AppHeader, ErrorPanel, KeyValues, status_content

__all__ = ["AppHeader", "ErrorPanel", "KeyValues", "status_content"]

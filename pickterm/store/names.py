"""Names the settings allow: the themes and the rule for a profile's name. No Textual here.

Kept apart from :mod:`pickterm.store.config` (which reads and writes the config file) so the App
can read the theme names at start-up for free. The config file, the setup screen and the
App all take them from here; the App owns the colours of each theme.
"""

from __future__ import annotations

import re

__all__ = ["PROFILE_NAME_RULE", "THEMES", "is_profile_name"]

THEMES = ("dark", "light", "high-contrast", "monochrome")

PROFILE_NAME_RULE = "1-64 letters, digits, '.', '_' or '-'"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def is_profile_name(name: object) -> bool:
    """Whether ``name`` can name a profile (see :data:`PROFILE_NAME_RULE`)."""
    return isinstance(name, str) and _PROFILE_NAME.fullmatch(name) is not None

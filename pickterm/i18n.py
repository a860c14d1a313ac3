"""The user's language (English, Spanish, Brazilian Portuguese). No Textual here.

``_("text")`` translates a sentence of the user interface; ``N_("text")`` marks one for
the catalogs where it is defined (a table of words) and is translated where it is shown.
Until the catalogs exist both return the English text.
"""

from __future__ import annotations

__all__ = ["N_", "_"]


def _(message: str) -> str:
    """``message`` in the user's language."""
    return message


def N_(message: str) -> str:
    """``message`` as it is: marked for the catalogs, translated later with :func:`_`."""
    return message

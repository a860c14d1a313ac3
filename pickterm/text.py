"""Server text made safe to show, and secrets kept out of every message. No Textual here.

Anything a server (or a user's id echoed by a server) says is hostile: it may carry
terminal control (``ESC[2J`` clears the screen, OSC 52 writes the clipboard, OSC 8
plants links, BEL rings, BS rubs out what was shown) or bidi controls that reorder what
a person reads. :func:`clean` is the one sanitiser every screen, toast, title and
stderr line goes through: C0 and C1 control characters and DEL become a visible
``�`` (so nothing can be rubbed out or forged by deletion), bidi override and isolate
controls are dropped, and ordinary Unicode (RTL scripts, emoji) is kept as it is.

:func:`redact` replaces the configured API key and every token this process has seen
(registered with :func:`register_secret`) and anything shaped like a JWT with ``****``.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["REDACTED", "REPLACEMENT", "clean", "has_control", "one_line", "redact", "register_secret", "safe_message"]

REPLACEMENT = "\ufffd"
REDACTED = "****"

# Bidi embedding/override (U+202A-202E) and isolate (U+2066-2069) controls, plus the
# implicit marks that can be used the same way (LRM, RLM, ALM).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_CONTROL = "".join(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)))
_LINE_BREAKS = "\r\n\u2028\u2029\x0b\x0c\x85"

_DROP_BIDI = {ord(ch): None for ch in _BIDI}
_MULTI = {
    **_DROP_BIDI,
    **{ord(ch): REPLACEMENT for ch in _CONTROL},
    ord("\n"): "\n",
    ord("\t"): "\t",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n",
}
_SINGLE = {**_MULTI, **{ord(ch): " " for ch in _LINE_BREAKS}, ord("\t"): " "}
_CRLF = re.compile(r"\r\n?")


def clean(text: Any, *, multiline: bool = True) -> str:
    """``text`` as a string that is safe to draw or print: no terminal or bidi control.

    Newlines (CRLF and CR count as one) and tabs are kept when ``multiline``; otherwise
    every line break and tab is a space, so one message stays one line.
    """
    value = "" if text is None else str(text)
    if value.isprintable():  # the common case: nothing to do
        return value
    value = _CRLF.sub("\n", value)
    return value.translate(_MULTI if multiline else _SINGLE)


def has_control(text: str) -> bool:
    """True when ``text`` holds a character ``clean`` would change (tabs and newlines included)."""
    return clean(text, multiline=False) != text


def one_line(text: Any) -> str:
    """``clean`` for a single line (stderr messages, titles, toasts)."""
    return clean(text, multiline=False)


# ---------------------------------------------------------------- secrets

_MIN_SECRET = 6  # shorter values would redact ordinary words
_secrets: set[str] = set()
_lock = threading.Lock()
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")


def register_secret(value: str | None) -> None:
    """Remember a key or token so that :func:`redact` hides it from now on."""
    if value and len(value.strip()) >= _MIN_SECRET:
        with _lock:
            _secrets.add(value.strip())


def redact(text: Any) -> str:
    """``text`` with every registered secret and every JWT-shaped value replaced by ``****``."""
    value = "" if text is None else str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in value:
            value = value.replace(secret, REDACTED)
    return _JWT.sub(REDACTED, value)


def safe_message(text: Any) -> str:
    """A message for stderr, a log or a toast: secrets redacted, one clean line."""
    return one_line(redact(text))

"""The one sanitiser of server text, and the redaction of secrets."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pickterm.text import REDACTED, clean, one_line, redact, register_secret, safe_message

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in BIDI


def test_escape_sequences_lose_their_escape_and_stay_visible():
    shown = clean("Milk\x1b[2J\x1b[H\x1b[31mRED\x1b]52;c;aGk=\x07\x9b1m")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert shown == "Milk\ufffd[2J\ufffd[H\ufffd[31mRED\ufffd]52;c;aGk=\ufffd\ufffd1m"


def test_backspace_nul_and_del_cannot_rub_out_what_is_shown():
    assert clean("1\b\b0\x00\x7f") == "1\ufffd\ufffd0\ufffd\ufffd"


def test_bidi_overrides_are_dropped_and_rtl_text_emoji_and_accents_kept():
    assert clean("order \u202e10-1\u202c \u2066x\u2069") == "order 10-1 x"
    text = "שלום עולם · مرحبا · 🍎🛒 · Ñandú Ação"
    assert clean(text) == text


def test_newlines_and_tabs_kept_where_a_layout_allows_them():
    assert clean("a\r\nb\rc\td\u2028e") == "a\nb\nc\td\ne"
    assert one_line("a\r\nb\rc\td") == "a b c d"


@given(st.text())
def test_nothing_unsafe_survives(text):
    for shown in (clean(text), one_line(text)):
        assert not any(is_control(ch) and ch not in "\n\t" for ch in shown)
    assert "\n" not in one_line(text) and "\t" not in one_line(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_ordinary_text_is_unchanged(text):
    assert clean(text) == text == one_line(text)


def test_registered_secrets_and_jwts_are_redacted():
    register_secret("sk-live-4f9a8b7c6d5e")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert redact("Invalid API key sk-live-4f9a8b7c6d5e") == f"Invalid API key {REDACTED}"
    assert redact(f"token {jwt} expired") == f"token {REDACTED} expired"
    assert safe_message("key sk-live-4f9a8b7c6d5e\r\n\x1b[2J") == f"key {REDACTED} \ufffd[2J"


def test_short_values_are_not_taken_for_secrets():
    register_secret("ab")
    assert redact("a cab") == "a cab"

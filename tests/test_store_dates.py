"""Typed dates for tracking writes: now, ISO 8601 with offset, local 'YYYY-MM-DD HH:MM'."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pickterm.store.dates import parse_user_datetime

NOW = datetime(2025, 2, 13, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def sao_paulo(time_zone):
    """Local time is UTC-3 (no DST in 2025)."""
    time_zone("America/Sao_Paulo")


def test_now_is_the_current_utc_time():
    assert parse_user_datetime(" NOW ", now=NOW) == NOW
    assert parse_user_datetime("now").tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-13T02:00:00.000Z", datetime(2025, 2, 13, 2, 0, tzinfo=UTC)),
        ("2025-02-13T02:00:00z", datetime(2025, 2, 13, 2, 0, tzinfo=UTC)),
        ("2025-02-12T23:00:00-03:00", datetime(2025, 2, 13, 2, 0, tzinfo=UTC)),
        ("2025-02-13 09:30+05:30", datetime(2025, 2, 13, 4, 0, tzinfo=UTC)),
    ],
)
def test_iso_with_offset_is_converted_to_utc(text, expected):
    parsed = parse_user_datetime(text, now=NOW)
    assert parsed == expected and parsed.utcoffset().total_seconds() == 0


def test_local_time_is_converted_to_utc(sao_paulo):
    assert parse_user_datetime("2025-02-12 23:00", now=NOW) == datetime(2025, 2, 13, 2, 0, tzinfo=UTC)
    assert parse_user_datetime("2025-02-12T23:00:15", now=NOW) == datetime(2025, 2, 13, 2, 0, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "required"),
        ("yesterday", "is not a date and time"),
        ("2025-02-13", "is not a date and time"),  # a time is needed
        ("13/02/2025 10:00", "is not a date and time"),
        ("2025-13-01 10:00", "is not a valid date and time"),
        ("2025-02-13 25:00", "is not a valid date and time"),
        ("2025-02-20 10:00Z", "in the future"),
    ],
)
def test_bad_dates_say_why(text, why):
    with pytest.raises(ValueError) as err:
        parse_user_datetime(text, now=NOW)
    assert why in str(err.value)
    if text:
        assert repr(text) in str(err.value)

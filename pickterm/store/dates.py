"""Reading a date and time a person typed (the CLI's --delivered/--event, the tracking form)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pickterm.i18n import N_, _

__all__ = ["DATE_FORMS", "MAX_FUTURE", "parse_user_datetime"]

# Marked for the catalogs; the messages below say it in the user's language (``now`` is typed as it is).
DATE_FORMS = N_("now, YYYY-MM-DD HH:MM (local time) or ISO 8601 such as 2025-02-13T02:00:00Z")
MAX_FUTURE = timedelta(days=1)  # a delivery or tracking event later than this is a typo

_HAS_TIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")


def parse_user_datetime(text: str, *, now: datetime | None = None) -> datetime:
    """A typed date-time as an aware UTC datetime.

    Accepts ``now``, an ISO 8601 date-time with an offset or ``Z``, or
    ``YYYY-MM-DD HH:MM[:SS]`` (also with ``T``) in local time. Raises ValueError with
    one sentence saying what is wrong.
    """
    current = (now or datetime.now(UTC)).astimezone(UTC)
    value = (text or "").strip()
    if not value:
        raise ValueError(_("A date and time is required: use {forms}").format(forms=_(DATE_FORMS)))
    if value.lower() == "now":
        return current
    if not _HAS_TIME.match(value):
        raise ValueError(
            _("{value} is not a date and time: use {forms}").format(value=repr(value), forms=_(DATE_FORMS))
        )
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            _("{value} is not a valid date and time: use {forms}").format(value=repr(value), forms=_(DATE_FORMS))
        ) from None
    try:
        if parsed.tzinfo is None:
            parsed = parsed.astimezone()  # naive means the local time of this machine
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError, OSError):  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise ValueError(
            _("{value} is out of the range of dates pickterm can send: use {forms}").format(
                value=repr(value), forms=_(DATE_FORMS)
            )
        ) from None
    if parsed - current > MAX_FUTURE:
        raise ValueError(
            _("{value} is in the future ({moment} UTC); check the date").format(
                value=repr(value), moment=f"{parsed:%Y-%m-%d %H:%M}"
            )
        )
    return parsed

"""``pickterm track ORDER_ID``: mark an order delivered and/or push tracking events.

The write goes through the outbox: stored first, then sent. Exit 0 accepted, 3 queued
(not sent yet; ``pickterm outbox flush`` retries), 1 rejected by the server, 2 invalid input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from datetime import datetime

from pickterm.api.errors import AuthenticationError
from pickterm.api.models import TrackingEvent, TrackingUpdate
from pickterm.store.dates import parse_user_datetime
from pickterm.text import has_control, one_line, safe_message

EVENT_FORM = "CITY|STATE|DESCRIPTION|DATE"


def register(sub: argparse._SubParsersAction) -> None:
    from pickterm.cli import add_connection_options

    parser = sub.add_parser(
        "track",
        help="mark an order delivered and/or add tracking events (queued when offline)",
        description="Send PATCH /orders/ORDER_ID/tracking through the local outbox. Dates: now, "
        "YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset or Z. Exit 0 accepted, "
        "3 queued, 1 rejected, 2 invalid input.",
    )
    parser.add_argument("order_id", metavar="ORDER_ID")
    parser.add_argument("--delivered", metavar="now|DATE", help="when the order was delivered")
    parser.add_argument(
        "--event", action="append", default=[], metavar=f'"{EVENT_FORM}"', help="a tracking event (repeatable)"
    )
    add_connection_options(parser)
    parser.set_defaults(func=run)


def parse_event(text: str, *, now: datetime | None = None) -> TrackingEvent:
    """One ``CITY|STATE|DESCRIPTION|DATE`` argument (a ``|`` inside the description is kept)."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) < 4:
        raise ValueError(f"--event {text!r}: expected {EVENT_FORM} (4 parts separated by |), got {len(parts)}")
    city, state, *description, date = parts
    for name, value in (("city", city), ("state", state), ("description", "|".join(description).strip())):
        if not value:
            raise ValueError(f"--event {text!r}: the {name} is empty")
        if has_control(value):
            raise ValueError(f"--event {text!r}: the {name} holds control characters (escapes, line breaks, bidi marks)")
    try:
        when = parse_user_datetime(date, now=now)
    except ValueError as exc:
        raise ValueError(f"--event {text!r}: {exc}") from None
    return TrackingEvent(city=city, state=state, description="|".join(description).strip(), date=when)


def build_update(delivered: str | None, events: Iterable[str], *, now: datetime | None = None) -> TrackingUpdate:
    """The TrackingUpdate of the command's options; ValueError (one sentence) on bad input."""
    events = list(events)
    if delivered is None and not events:
        raise ValueError("nothing to send: give --delivered and/or at least one --event")
    delivered_date = None
    if delivered is not None:
        try:
            delivered_date = parse_user_datetime(delivered, now=now)
        except ValueError as exc:
            raise ValueError(f"--delivered: {exc}") from None
    return TrackingUpdate(delivered_date=delivered_date, events=[parse_event(e, now=now) for e in events])


def run(args: argparse.Namespace) -> int:
    from pickterm.commands._connect import client_from_args
    from pickterm.store.config import ConfigError
    from pickterm.store.outbox import Outbox
    from pickterm.store.state import StateDB, StateError

    order_id = args.order_id.strip()
    try:
        if not order_id:
            raise ValueError("ORDER_ID is empty")
        update = build_update(args.delivered, args.event)
        db = StateDB.open(demo=bool(getattr(args, "demo", False)))
    except (ValueError, StateError) as exc:
        print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
        return 2
    try:
        outbox = Outbox(db)
        try:
            client = client_from_args(args)
        except (ValueError, ConfigError) as exc:
            print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
            return 2

        async def go():
            async with client:
                return await outbox.submit(client, order_id, update)

        outcome = asyncio.run(go())
        pending, _failed = outbox.counts()
    except StateError as exc:
        print(f"pickterm: {safe_message(exc)}", file=sys.stderr)
        return 2
    finally:
        db.close()
    entry = outcome.entry
    if outcome.state == "sent":
        print(one_line(f"Order {order_id}: tracking accepted ({entry.summary})."))
        return 0
    if outcome.state == "failed":
        print(safe_message(
            f"pickterm: rejected: {outcome.error} (kept as outbox entry #{entry.id};"
            f" 'pickterm outbox discard {entry.id}' removes it)"),
            file=sys.stderr,
        )
        return 1
    reason = f"{outcome.error}; " if outcome.error else ""
    hint = f" {outcome.error.hint}" if isinstance(outcome.error, AuthenticationError) else ""
    print(
        safe_message(f"pickterm: not sent yet: {reason}queued, {pending} pending ('pickterm outbox flush' retries).{hint}"),
        file=sys.stderr,
    )
    return 3

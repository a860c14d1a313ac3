"""``pickterm track ORDER_ID``: mark an order delivered and/or push tracking events.

The write goes through the outbox: stored first, then sent. Exit 0 accepted, 3 queued
(not sent yet; ``pickterm outbox flush`` retries), 1 rejected by the server, 2 invalid input,
4 the local store failed, 5 sent but the outcome is unknown (may have been applied).
"""

from __future__ import annotations

import argparse
import asyncio

from pickterm.commands._errors import API_FAILED, INVALID, QUEUED, STORE_FAILED, UNCERTAIN, fail
from pickterm.text import one_line
from pickterm.tracking_input import EVENT_FORM, build_update, parse_event

__all__ = ["build_update", "parse_event", "register", "report", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    from pickterm.cli import add_connection_options

    parser = sub.add_parser(
        "track",
        help="mark an order delivered and/or add tracking events (queued when offline)",
        description="Send PATCH /orders/ORDER_ID/tracking through the local outbox. Dates: now, "
        "YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset or Z. Exit 0 accepted, "
        "3 queued, 1 rejected, 2 invalid input, 4 local store failure, 5 sent but no answer.",
    )
    parser.add_argument("order_id", metavar="ORDER_ID")
    parser.add_argument("--delivered", metavar="now|DATE", help="when the order was delivered")
    parser.add_argument(
        "--event", action="append", default=[], metavar=f'"{EVENT_FORM}"', help="a tracking event (repeatable)"
    )
    add_connection_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pickterm.ids import order_id_problem
    from pickterm.services import Services
    from pickterm.store.config import ConfigError
    from pickterm.store.outbox import InvalidOrderIdError, Outbox, Target
    from pickterm.store.state import StateError

    order_id = args.order_id.strip()
    try:
        problem = order_id_problem(order_id)
        if problem is not None:
            raise ValueError(f"ORDER_ID: {problem}")
        update = build_update(args.delivered, args.event)
        services = Services.from_args(args)
        client = services.new_client()
    except (ValueError, ConfigError) as exc:
        return fail(exc, INVALID)
    try:
        db = services.open_state()
    except StateError as exc:
        return fail(f"nothing was sent: {exc}", STORE_FAILED)
    entry = None
    try:
        outbox = Outbox(db)
        try:
            entry = outbox.add(order_id, update, Target.of(client))
        except InvalidOrderIdError as exc:
            return fail(exc, INVALID)

        async def go():
            async with client:
                return await outbox.send(entry.id, client)

        outcome = asyncio.run(go())
        return report(outcome, order_id, outbox)
    except StateError as exc:
        if entry is None:
            return fail(f"nothing was stored or sent: {exc}", STORE_FAILED)
        return fail(
            f"stored as outbox entry #{entry.id}, not sent yet: {exc} ('pickterm outbox flush' sends it).", QUEUED
        )
    finally:
        if entry is None:
            asyncio.run(client.aclose())
        db.close()


def report(outcome, order_id: str, outbox) -> int:
    """Tell the user what happened to the write; the exit status."""
    from pickterm.api.errors import AuthenticationError

    entry = outcome.entry
    if outcome.state == "sent" and not outcome.recorded:
        return fail(
            f"Order {order_id}: tracking accepted by the server ({entry.summary}), but pickterm could not"
            f" record that: {outcome.record_error}. Do not send it again; 'pickterm outbox' will list"
            f" entry #{entry.id} as may have been sent.",
            STORE_FAILED,
        )
    if outcome.state == "sent":
        print(one_line(f"Order {order_id}: tracking accepted ({entry.summary})."))
        return 0
    if outcome.blocked_by is not None:
        older = outcome.blocked_by
        return fail(
            f"queued as outbox entry #{entry.id} behind #{older.id} ({older.state}, {older.summary})"
            f" for the same order: it leaves once #{older.id} is settled"
            f" ('pickterm outbox supersede {older.id}' drops the older write).",
            QUEUED,
        )
    if outcome.state == "failed":
        return fail(
            f"rejected: {outcome.error} (kept as outbox entry #{entry.id};"
            f" 'pickterm outbox discard {entry.id}' removes it)",
            API_FAILED,
        )
    if outcome.state == "uncertain":
        what = (
            "it will be checked against the order at the next 'pickterm outbox flush'"
            if entry.checkable
            else f"check the order ('pickterm get order {order_id}'), then 'pickterm outbox retry {entry.id}'"
            f" to send it again or 'pickterm outbox discard {entry.id}'"
        )
        return fail(
            f"sent, but no answer came back ({outcome.error}): it may have been applied."
            f" Kept as outbox entry #{entry.id} and not sent again on its own; {what}.",
            UNCERTAIN,
        )
    try:
        pending = outbox.counts_by_state()["pending"]
        count = f", {pending} pending"
    except Exception:  # noqa: BLE001 - the store hiccuped after the write was queued
        count = ""
    reason = f"{outcome.error}; " if outcome.error else ""
    hint = (
        " Check the API key of this profile (pickterm config set-key)."
        if isinstance(outcome.error, AuthenticationError)
        else ""
    )
    return fail(f"not sent yet: {reason}queued{count} ('pickterm outbox flush' retries).{hint}", QUEUED)

"""``pickterm track ORDER_ID``: mark an order delivered and/or push tracking events.

The write goes through the outbox: stored first, then sent. Exit 0 accepted, 3 queued
(not sent yet; ``pickterm outbox flush`` retries), 1 rejected by the server, 2 invalid input,
4 the local store failed, 5 sent but the outcome is unknown (may have been applied).

The tracking form's rules hold here, as refusals (exit 2, nothing stored or sent) with the
flag that allows the write: the order is read first; a delivered date that would replace the
order's (or one that cannot be read) needs ``--replace``; a date more than
:data:`~pickterm.tracking_input.FAR_DAYS` days from now needs ``--far-date``; events alone for
an order that is not delivered are refused (the server would finish the order): ``--delivered``
says so.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pickterm.commands._errors import API_FAILED, INVALID, QUEUED, STORE_FAILED, UNCERTAIN, fail
from pickterm.commands._options import add_connection_options
from pickterm.i18n import _
from pickterm.text import one_line
from pickterm.tracking_input import EVENT_FORM, FAR_DAYS, build_update, far_days, finishes_order, parse_event

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient
    from pickterm.api.models import TrackingUpdate
    from pickterm.store.outbox import Outbox, SendOutcome

__all__ = ["build_update", "parse_event", "register", "report", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "track",
        help="mark an order delivered and/or add tracking events (queued when offline)",
        description="Send PATCH /orders/ORDER_ID/tracking through the local outbox. Dates: now, "
        "YYYY-MM-DD HH:MM (local time) or ISO 8601 with an offset or Z. The order is read first: "
        "events alone for an order that is not delivered are refused (the server would finish it), "
        "so are a delivered date that replaces the order's (--replace) and one far from now "
        "(--far-date). Exit 0 accepted, 3 queued, 1 rejected, 2 invalid input or refused, "
        "4 local store failure, 5 sent but no answer.",
    )
    parser.add_argument("order_id", metavar="ORDER_ID")
    parser.add_argument("--delivered", metavar="now|DATE", help="when the order was delivered")
    parser.add_argument(
        "--event", action="append", default=[], metavar=f'"{EVENT_FORM}"', help="a tracking event (repeatable)"
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="let --delivered replace the order's delivered date (or one that cannot be read)",
    )
    parser.add_argument(
        "--far-date", action="store_true", help=f"let --delivered be more than {FAR_DAYS} days from now"
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
        far_problem(update, args)
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

        async def go() -> str | InvalidOrderIdError | SendOutcome:
            nonlocal entry
            async with client:
                refusal = await order_problem(client, order_id, update, args)
                if refusal is not None:
                    return refusal
                try:
                    entry = outbox.add(order_id, update, Target.of(client))
                except InvalidOrderIdError as exc:
                    return exc
                return await outbox.send(entry.id, client)

        outcome = asyncio.run(go())
        if isinstance(outcome, (str, InvalidOrderIdError)):  # refused: nothing stored or sent
            return fail(outcome, INVALID)
        return report(outcome, order_id, outbox)
    except StateError as exc:
        if entry is None:
            return fail(f"nothing was stored or sent: {exc}", STORE_FAILED)
        return fail(
            f"stored as outbox entry #{entry.id}, not sent yet: {exc} ('pickterm outbox flush' sends it).", QUEUED
        )
    finally:
        db.close()


def far_problem(update: TrackingUpdate, args: argparse.Namespace) -> None:
    """ValueError when ``--delivered`` is more than FAR_DAYS days from now without ``--far-date``."""
    if update.delivered_date is None or args.far_date:
        return
    now = datetime.now(UTC)
    days = far_days(update.delivered_date, now)
    if days is None:
        return
    if update.delivered_date < now:
        sentence = _("--delivered {date} is {n} days ago. Nothing was sent; if that is right, add --far-date.")
    else:
        sentence = _("--delivered {date} is {n} days from now. Nothing was sent; if that is right, add --far-date.")
    raise ValueError(sentence.format(date=f"{update.delivered_date:%Y-%m-%d %H:%M} UTC", n=days))


async def order_problem(
    client: PickPackClient, order_id: str, update: TrackingUpdate, args: argparse.Namespace
) -> str | None:
    """Read the order, as the form does, and say why the write may not go (None when it may)."""
    from pickterm.api.errors import PickPackError
    from pickterm.api.models import parse_api_datetime

    try:
        order = await client.get_order(order_id, fresh=True)
    except PickPackError as exc:
        if update.delivered_date is None:
            return _(
                "Order {id} could not be read ({error}). If it is not delivered, the server finishes it on "
                "any tracking write: these events alone would mark it delivered now and COMPLETED. Nothing "
                "was sent; give --delivered now|DATE (with --replace, as the order cannot be read) to send them."
            ).format(id=order_id, error=exc)
        if args.replace:
            return None
        return _(
            "Order {id} could not be read ({error}), so its delivered date is unknown: --delivered may replace "
            "one. Nothing was sent; add --replace to send it anyway."
        ).format(id=order_id, error=exc)
    server = parse_api_datetime(order.delivered_date)
    new = update.delivered_date
    if finishes_order(update, server):
        return _(
            "Order {id} is not delivered ({status}). The server finishes an order on any tracking write: "
            "these events alone would mark it delivered now and COMPLETED. Nothing was sent; give "
            "--delivered now|DATE to mark it delivered with them."
        ).format(id=order_id, status=one_line(order.status or "?"))
    if new is not None and server is not None and new not in (server, server.replace(microsecond=0)):
        if args.replace:
            return None
        return _(
            "Order {id} is already delivered on {old}: --delivered would change it to {new}. Nothing was "
            "sent; add --replace to change it."
        ).format(id=order_id, old=f"{server:%Y-%m-%d %H:%M:%S} UTC", new=f"{new:%Y-%m-%d %H:%M} UTC")
    return None


def report(outcome: SendOutcome, order_id: str, outbox: Outbox) -> int:
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

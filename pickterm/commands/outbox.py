"""``pickterm outbox [list|flush|retry ID|discard ID]``: the queue of tracking writes.

``flush`` exits 0 when nothing is left to send, 3 when entries are still pending,
1 when the server rejected one during this flush.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from pickterm.api.models import format_api_datetime
from pickterm.store.outbox import Outbox, OutboxEntry, OutboxError
from pickterm.text import one_line, safe_message


def register(sub: argparse._SubParsersAction) -> None:
    from pickterm.cli import add_connection_options

    parser = sub.add_parser("outbox", help="list, send, retry or discard queued tracking writes")
    add_connection_options(parser)  # before the action; only flush connects (pickterm.cli.COMMAND_OPTIONS)
    parser.set_defaults(func=run_list, all=False, json=False)
    actions = parser.add_subparsers(dest="outbox_action", metavar="ACTION", parser_class=type(parser))

    p = actions.add_parser("list", help="pending and failed entries (the default action)")
    p.add_argument("--all", action="store_true", help="also the entries already sent")
    p.add_argument("--json", action="store_true", help="print JSON lines for scripts")
    _demo_option(p)
    p.set_defaults(func=run_list)

    p = actions.add_parser("flush", help="send every pending entry now")
    add_connection_options(p)
    p.set_defaults(func=run_flush)

    for name, help_text, func in (
        ("retry", "put a failed entry back in the queue", run_retry),
        ("discard", "remove an entry for good", run_discard),
    ):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("id", type=int, metavar="ID")
        _demo_option(p)
        p.set_defaults(func=func)


def _demo_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="the demo outbox (demo-state.db)"
    )


def _open(args: argparse.Namespace):
    from pickterm.store.state import StateDB

    return StateDB.open(demo=bool(getattr(args, "demo", False)))


def _guarded(func):
    """Run a command; a state database problem is one line on stderr and exit 2."""

    def run(args: argparse.Namespace) -> int:
        from pickterm.store.state import StateError

        try:
            return func(args)
        except StateError as exc:
            return _fail(exc)

    run.__doc__ = func.__doc__
    return run


def _fail(error: Exception, status: int = 2) -> int:
    print(f"pickterm: {safe_message(error)}", file=sys.stderr)
    return status


def describe(entry: OutboxEntry) -> str:
    """One line about an entry (and its last error on a second line)."""
    state = "sending" if entry.state == "pending" and entry.in_flight else entry.state
    tries = f"{entry.attempts} attempt{'s' if entry.attempts != 1 else ''}"
    when = format_api_datetime(entry.sent_at if entry.state == "sent" else entry.created_at)
    line = one_line(f"#{entry.id:<4} {state:<8} order {entry.order_id}  {entry.summary}  ({tries}, {when})")
    if entry.error_text and entry.state != "sent":
        line += f"\n      last error: {safe_message(entry.error_text)}"
    return line


def _summary(outbox: Outbox) -> str:
    pending, failed = outbox.counts()
    return f"{pending} pending, {failed} failed"


@_guarded
def run_list(args: argparse.Namespace) -> int:
    db = _open(args)
    with db:
        outbox = Outbox(db)
        states = ("pending", "failed", "sent") if args.all else ("pending", "failed")
        entries = outbox.list(states)
        if args.json:
            for entry in entries:
                print(json.dumps({
                    "id": entry.id, "orderId": entry.order_id, "state": entry.state, "payload": entry.payload,
                    "createdAt": entry.created_at, "attempts": entry.attempts, "sentAt": entry.sent_at,
                    "lastError": entry.last_error,
                }))
            return 0
        for entry in entries:
            print(describe(entry))
        print(_summary(outbox) if entries else "The outbox is empty." if not args.all else "Nothing in the outbox.")
    return 0


@_guarded
def run_flush(args: argparse.Namespace) -> int:
    from pickterm.commands._connect import client_from_args
    from pickterm.store.config import ConfigError
    db = _open(args)
    with db:
        outbox = Outbox(db)
        if not outbox.counts()[0]:
            print(f"Nothing to send ({_summary(outbox)}).")
            return 0
        try:
            client = client_from_args(args)
        except (ValueError, ConfigError) as exc:
            return _fail(exc)

        async def go():
            async with client:
                return await outbox.flush(client)

        outcomes = asyncio.run(go())
        for outcome in outcomes:
            entry = outcome.entry
            if outcome.state == "sent":
                print(one_line(f"#{entry.id} order {entry.order_id}: sent"))
            elif outcome.state == "failed":
                print(safe_message(f"#{entry.id} order {entry.order_id}: rejected: {outcome.error}"), file=sys.stderr)
            else:
                print(safe_message(f"#{entry.id} order {entry.order_id}: not sent: {outcome.error}"), file=sys.stderr)
        pending, _failed = outbox.counts()
        print(_summary(outbox))
    if any(o.state == "failed" for o in outcomes):
        return 1
    return 3 if pending else 0


@_guarded
def run_retry(args: argparse.Namespace) -> int:
    return _change(args, "retry")


@_guarded
def run_discard(args: argparse.Namespace) -> int:
    return _change(args, "discard")


def _change(args: argparse.Namespace, action: str) -> int:
    db = _open(args)
    with db:
        outbox = Outbox(db)
        try:
            entry = outbox.discard(args.id) if action == "discard" else outbox.retry(args.id)
        except OutboxError as exc:
            return _fail(exc)
        done = "discarded" if action == "discard" else "queued again (pickterm outbox flush sends it)"
        print(one_line(f"#{entry.id} order {entry.order_id} {done}; {_summary(outbox)}"))
    return 0

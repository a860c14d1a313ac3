"""``pickterm outbox [list|flush|retry ID|supersede ID|discard ID]``: the queue of tracking writes.

``list`` only reads (it works on a read-only or locked database). ``flush`` sends the
entries of the active profile and URLs only, exits 0 when nothing of them is left to
send, 3 when entries are still pending, 1 when the server rejected one during this
flush, 5 when one was sent without an answer. Local store failures exit 4.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from pickterm.api.models import format_api_datetime
from pickterm.commands._errors import STORE_FAILED, UNCERTAIN, fail, failing_on
from pickterm.commands._options import VALUE_OPTIONS, add_connection_options
from pickterm.i18n import N_, _, ngettext
from pickterm.store.outbox import Outbox, OutboxEntry, OutboxError, SendOutcome, Target
from pickterm.store.state import StateDB, StateError
from pickterm.text import one_line, safe_message


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("outbox", help="list, send, retry, supersede or discard queued tracking writes")
    _connection_options_for_actions(parser)
    _demo_option(parser)
    parser.set_defaults(func=run_list, all=False, json=False)
    actions = parser.add_subparsers(dest="outbox_action", metavar="ACTION", parser_class=type(parser))

    p = actions.add_parser(
        "list", help="pending and failed entries, and those that may have been sent (the default action)"
    )
    p.add_argument("--all", action="store_true", help="also the history: sent and superseded entries")
    p.add_argument("--json", action="store_true", help="print JSON lines for scripts")
    _demo_option(p)
    p.set_defaults(func=run_list)

    p = actions.add_parser("flush", help="send every pending entry of this profile now")
    add_connection_options(p)
    p.set_defaults(func=run_flush)

    for name, help_text, func in (
        (
            "retry",
            "queue a failed entry, or one that may have been sent, again (the user's decision to resend)",
            run_retry,
        ),
        ("supersede", "keep an unsent entry as history only, never sent (frees newer writes)", run_supersede),
        ("discard", "remove an entry for good", run_discard),
    ):
        p = actions.add_parser(name, help=help_text)
        p.add_argument("id", type=int, metavar="ID")
        if name == "retry":
            add_connection_options(p)
        else:
            _demo_option(p)
        p.set_defaults(func=func)


def _connection_options_for_actions(parser: argparse.ArgumentParser) -> None:
    """--profile, --api-url and --auth-url also before the action (``pickterm outbox --profile X
    flush``), for flush and retry (pickterm.commands._options.COMMAND_OPTIONS). ``pickterm outbox`` itself
    takes only --demo, so its help offers only that; each action's help shows what it takes."""
    for option in VALUE_OPTIONS:
        parser.add_argument(option, default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _demo_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo", action="store_true", default=argparse.SUPPRESS, help="the demo outbox (demo-state.db)"
    )


def _open(args: argparse.Namespace) -> StateDB:
    from pickterm.services import Services

    return Services.from_args(args).open_state()


# A command of the local outbox: a state database problem is one line on stderr and exit 4.
_guarded = failing_on(StateError, status=STORE_FAILED)


# The entries' states (pickterm.store.outbox.entry_state) in the reader's words, the same
# as the app's outbox screen (the JSON output keeps the codes).
STATE_WORDS = {
    "pending": N_("pending"),
    "sending": N_("sending"),
    "failed": N_("failed"),
    "uncertain": N_("may have been sent"),
    "sent": N_("sent"),
    "superseded": N_("superseded"),
}


def _state_word(state: str) -> str:
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state


def describe(entry: OutboxEntry, blocker: OutboxEntry | None = None) -> str:
    """An entry in a few lines: what, where to, and what happens next."""
    tries = ngettext("{n} attempt", "{n} attempts", entry.attempts).format(n=entry.attempts)
    when = format_api_datetime(entry.sent_at or entry.settled_at or entry.created_at)
    order = _("order {id}").format(id=entry.order_id)
    lines = [one_line(f"#{entry.id:<4} {_state_word(entry.status):<10} {order}  {entry.summary}  ({tries}, {when})")]
    target = entry.target
    lines.append(
        "      " + _("to: {target}").format(target=target)
        if target
        else "      " + _("to: unknown (stored by an older pickterm; 'retry' assigns this profile)")
    )
    if entry.status == "uncertain":
        if not entry.awaits_decision:
            lines.append("      " + _("may have been sent: the next flush reads the order back and settles it"))
        else:
            if entry.answer and entry.answer.get("reconciled"):
                delivered = entry.answer.get("orderDeliveredDate") or _("never")
                lines.append(one_line("      " + _("the order showed delivered {date}").format(date=delivered)))
            lines.append(
                "      "
                + _(
                    "may have been sent: check 'pickterm get order {order}', then "
                    "'pickterm outbox retry {id}' (send again) or 'discard {id}'"
                ).format(order=entry.order_id, id=entry.id)
            )
    if blocker is not None:
        lines.append(
            "      "
            + _("waits behind #{id} ({state}) for the same order").format(
                id=blocker.id, state=_state_word(blocker.status)
            )
        )
    if entry.error_text and entry.state != "sent":
        lines.append("      " + _("last error: {error}").format(error=safe_message(entry.error_text)))
    if entry.answer and entry.state == "sent" and entry.answer.get("reconciled"):
        date = entry.answer.get("orderDeliveredDate")
        lines.append(one_line("      " + _("confirmed by reading the order back (delivered {date})").format(date=date)))
    return "\n".join(lines)


def _summary(outbox: Outbox) -> str:
    counts = outbox.counts()
    text = ngettext("{n} pending", "{n} pending", counts.pending).format(n=counts.pending)
    text += ", " + ngettext("{n} failed", "{n} failed", counts.failed).format(n=counts.failed)
    if counts.sending:
        text += ", " + ngettext("{n} sending", "{n} sending", counts.sending).format(n=counts.sending)
    if counts.uncertain:
        text += ngettext(", {n} may have been sent", ", {n} may have been sent", counts.uncertain).format(
            n=counts.uncertain
        )
    return text


@_guarded
def run_list(args: argparse.Namespace) -> int:
    from pickterm.services import Services

    db = Services.from_args(args).read_state()  # reading takes no write lock
    if db is None:
        if not args.json:  # JSON lines: none (never a sentence, in any language)
            print(_("The outbox is empty."))
        return 0
    with db:
        outbox = Outbox(db)
        if args.all:
            entries = sorted(outbox.list(("pending",)) + outbox.history(limit=1000), key=lambda e: e.id)
        else:
            entries = outbox.list(("pending", "failed", "uncertain"))
        if args.json:
            for entry in entries:
                target = entry.target
                print(
                    json.dumps(
                        {
                            "id": entry.id,
                            "orderId": entry.order_id,
                            "state": entry.status,
                            "payload": entry.payload,
                            "createdAt": entry.created_at,
                            "attempts": entry.attempts,
                            "sentAt": entry.sent_at,
                            "settledAt": entry.settled_at,
                            "lastError": entry.last_error,
                            "answer": entry.answer,
                            "target": None
                            if target is None
                            else {"profile": target.profile, "apiUrl": target.api_url, "authUrl": target.auth_url},
                        }
                    )
                )
            return 0
        for entry in entries:
            blocker = outbox.blocker(entry) if entry.status == "pending" else None
            print(describe(entry, blocker))
        print(
            _summary(outbox) if entries else _("The outbox is empty.") if not args.all else _("Nothing in the outbox.")
        )
    return 0


@_guarded
def run_flush(args: argparse.Namespace) -> int:
    from pickterm.commands._connect import client_from_args
    from pickterm.store.config import ConfigError

    db = _open(args)
    with db:
        outbox = Outbox(db)
        try:
            client = client_from_args(args)
        except (ValueError, ConfigError) as exc:
            return fail(exc)
        target = Target.of(client)
        outbox.settle_interrupted()
        if not outbox.has_work(target):
            asyncio.run(client.aclose())
            print(_("Nothing to send ({counts}).").format(counts=_summary(outbox)))
            _others(outbox, target)
            return 0

        async def go() -> list[SendOutcome]:
            async with client:
                return await outbox.flush(client)

        outcomes = asyncio.run(go())
        for outcome in outcomes:
            entry = outcome.entry
            head = f"#{entry.id} order {entry.order_id}"
            if outcome.reconciled:
                if outcome.state == "sent":
                    print(safe_message(f"{head}: the order shows it was applied; settled as sent"))
                elif outcome.state == "pending":
                    print(safe_message(f"{head}: the order does not show it; sending it again is safe"))
                elif outcome.error is None:
                    print(
                        safe_message(
                            f"{head}: the order does not show it; may have been sent: decide with retry or discard"
                        )
                    )
                else:
                    print(safe_message(f"{head}: could not read the order back: {outcome.error}"), file=sys.stderr)
            elif outcome.state == "sent" and not outcome.recorded:
                print(
                    safe_message(f"{head}: accepted by the server, but not recorded: {outcome.record_error}"),
                    file=sys.stderr,
                )
            elif outcome.state == "sent":
                print(safe_message(f"{head}: sent"))
            elif outcome.state == "failed":
                print(safe_message(f"{head}: rejected: {outcome.error}"), file=sys.stderr)
            elif outcome.state == "uncertain":
                print(
                    safe_message(f"{head}: sent, but no answer came back ({outcome.error}); may have been sent"),
                    file=sys.stderr,
                )
            else:
                print(safe_message(f"{head}: not sent: {outcome.error}"), file=sys.stderr)
        pending = sum(1 for e in outbox.list(("pending",)) if e.target == target)
        print(_summary(outbox))
        _others(outbox, target)
    if any(o.state == "sent" and not o.recorded for o in outcomes):
        return STORE_FAILED
    if any(o.state == "failed" for o in outcomes):
        return 1
    if any(o.state == "uncertain" and not o.reconciled for o in outcomes):
        return UNCERTAIN
    return 3 if pending else 0


def _others(outbox: Outbox, target: Target) -> None:
    others = [e for e in outbox.list(("pending",)) if e.target != target]
    if others:
        print(f"{len(others)} pending for other profiles or URLs, left as they are (not sent here).")


def _change_entry(args: argparse.Namespace, change: Callable[[Outbox], OutboxEntry], done: str) -> int:
    """Apply ``change`` to the entry ``args.id`` and say what became of it (``#3 order X <done>; counts``)."""
    from pickterm.store.config import ConfigError

    with _open(args) as db:
        outbox = Outbox(db)
        try:
            entry = change(outbox)
        except (OutboxError, ConfigError, ValueError) as exc:  # a refused change, a broken config or URL
            return fail(exc)
        print(one_line(f"#{entry.id} order {entry.order_id} {done}; {_summary(outbox)}"))
    return 0


@_guarded
def run_retry(args: argparse.Namespace) -> int:
    def retry(outbox: Outbox) -> OutboxEntry:
        target = None
        entry = outbox.get(args.id)
        if entry is not None and entry.target is None:  # stored before targets: it takes this profile's
            from pickterm.commands._connect import client_from_args

            client = client_from_args(args)
            target = Target.of(client)
            asyncio.run(client.aclose())
        return outbox.retry(args.id, target)

    return _change_entry(args, retry, "queued again (pickterm outbox flush sends it)")


@_guarded
def run_supersede(args: argparse.Namespace) -> int:
    return _change_entry(args, lambda outbox: outbox.supersede(args.id), "superseded: kept as history, never sent")


@_guarded
def run_discard(args: argparse.Namespace) -> int:
    return _change_entry(args, lambda outbox: outbox.discard(args.id), "discarded")

"""``pickterm label get|print SHIPMENT_ID`` and ``pickterm label history ORDER_ID``: a shipment's label, fetched from its URL under the
label rules (https only, a size limit, no redirect to another scheme, never the API token).

``get`` writes it to ``-o FILE`` (or stdout when that is not a terminal); ``print`` sends it to
the printer (``--printer SPEC``, else the profile's) and keeps the print in the local store's
pack events for the shipment's packages, as the pack screen does: a label printed before (by
either) is printed again only with ``--reprint``. Exit statuses: 0 done, 1 the API or the label
host failed, 2 bad usage, no printer, no label of that type or a reprint not asked for, 4 the
local store failed, 5 the job may have printed, 6 the printer did not take it (nothing printed).

``history`` lists what the local store kept of an order's packing (items confirmed by key,
labels printed, reprinted, forced with their reason, that may have printed, confirmed), in local
time; it reads the store alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pickterm.commands._options import add_connection_options

    parser = sub.add_parser("label", help="a shipment's label: get (to a file) or print")
    add_connection_options(parser)
    actions = parser.add_subparsers(dest="label_action", metavar="ACTION", required=True, parser_class=type(parser))
    for action, help_text in (("get", "fetch the label to a file or stdout"), ("print", "print the label")):
        p = actions.add_parser(action, help=help_text)
        p.add_argument("shipment_id", metavar="SHIPMENT_ID")
        p.add_argument("--external", action="store_true", help="the id is the carrier's tracking number")
        p.add_argument("--type", choices=("ZPL", "PDF", "BASE64", "TEXT"), help="which of the shipment's labels")
        p.add_argument("--json", action="store_true", help="print what was done as JSON")
        if action == "get":
            p.add_argument("-o", "--output", metavar="FILE", help="write the label here (default: stdout)")
        else:
            p.add_argument("--printer", metavar="PRINTER", help="a printer spec; default: the profile's")
            p.add_argument("--reprint", action="store_true", help="print a label that printed before, again")
        add_connection_options(p)
        p.set_defaults(func=run)
    p = actions.add_parser("history", help="an order's packing history on this terminal: prints, reprints, forced")
    p.add_argument("order_id", metavar="ORDER_ID")
    p.add_argument("--json", action="store_true", help="the history as JSON")
    add_connection_options(p)
    p.set_defaults(func=run_history)


def history_time(at: str) -> str:
    """A pack event's time (UTC, as stored) in this machine's local time."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


def history_words(entry: Any) -> str:
    """What a step of the packing history (:class:`pickterm.packing.HistoryEntry`) did, in the
    user's words; the text in it (reasons, printers, items) is for the caller to render literally."""
    from pickterm.i18n import _, ngettext

    where = entry.code or "?"
    if os.sep in where and entry.kind in ("print", "reprint", "forced"):  # a file printer: its folder says enough
        where = _("a file in {folder}").format(folder=os.path.basename(os.path.dirname(where)) or os.sep)
    if entry.kind == "manual":
        words = ngettext(
            "{name}: {n} unit confirmed by key (no EAN)", "{name}: {n} units confirmed by key (no EAN)", entry.units
        ).format(name=entry.item_name or entry.item_key or "?", n=entry.units)
        return words + (" " + _("(taken back)") if entry.undone else "")
    if entry.kind == "forced":
        words = _("label printed before the box was packed, on {where}; reason: {reason}").format(
            where=where, reason=_(entry.reason) if entry.reason else "?"
        )
    elif entry.kind == "reprint":
        words = _("label printed again on {where}").format(where=where)
    elif entry.kind == "print":
        words = _("label printed on {where}").format(where=where)
    elif entry.kind == "print_uncertain":
        return _("the label may have printed: the printer's connection dropped")
    else:  # confirm
        return _("label confirmed on the box ({code})").format(code=where)
    if entry.prints > 1:
        words += _(" (printed {n} times)").format(n=entry.prints)
    return words


def run_history(args: argparse.Namespace) -> int:
    from pickterm.commands._errors import STORE_FAILED, fail
    from pickterm.commands.get import dumps
    from pickterm.i18n import _
    from pickterm.packing import pack_history
    from pickterm.services import Services
    from pickterm.store.state import StateError
    from pickterm.text import one_line

    try:
        db = Services.from_args(args).read_state()  # reading takes no write lock
        if db is None:
            entries = []
        else:
            with db:
                entries = pack_history(db, args.order_id)
    except StateError as exc:
        return fail(exc, STORE_FAILED)
    if args.json:
        rows = [
            {
                "at": e.at,
                "kind": e.kind,
                "packageId": e.package_id,
                "item": e.item_key,
                "units": e.units,
                "code": e.code,
                "reason": e.reason,
                "prints": e.prints,
                "undone": e.undone,
            }
            for e in entries
        ]
        sys.stdout.write(dumps(rows) + "\n")
        return 0
    if not entries:
        print(one_line(_("Nothing was recorded while packing order {id} on this terminal.").format(id=args.order_id)))
        return 0
    for entry in entries:
        print(one_line(f"{history_time(entry.at)}  {entry.package_id}  {history_words(entry)}"))
    return 0


def _pick(shipment: Any, wanted: str | None, printer: Any = None) -> Any:
    from pickterm.packing import choose_label

    if wanted:
        return next((lb for lb in shipment.labels if (lb.type or "").upper() == wanted), None)
    if printer is not None:
        return choose_label(shipment.labels, printer)
    order = ("ZPL", "PDF", "BASE64", "TEXT")
    labels = sorted(
        shipment.labels, key=lambda lb: order.index(lb.type.upper()) if (lb.type or "").upper() in order else 9
    )
    return labels[0] if labels else None


def _already_printed(shipment_id: str, count: int) -> str:
    from pickterm.i18n import _, ngettext

    if not count:
        return _("the label of {id} may have printed already: --reprint prints it again").format(id=shipment_id)
    return ngettext(
        "the label of {id} printed {n} time already: --reprint prints it again",
        "the label of {id} printed {n} times already: --reprint prints it again",
        count,
    ).format(id=shipment_id, n=count)


def _recorded(db: Any, prints: Any, where: str, *, uncertain: bool = False) -> bool:
    """Keep the print in the store; False when the store failed (said, with its own status)."""
    from pickterm.packing import record_shipment_print
    from pickterm.store.state import StateError

    try:
        record_shipment_print(db, prints, where, uncertain=uncertain)
    except StateError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    from pickterm.api import PickPackError
    from pickterm.commands._connect import client_from_args
    from pickterm.commands._errors import API_FAILED, INVALID, STORE_FAILED, fail
    from pickterm.commands.get import dumps
    from pickterm.commands.printer import LABEL_ERROR_WORDS, print_error_words, print_status, printer_from_args
    from pickterm.i18n import _
    from pickterm.labels import LabelError, fetch_label
    from pickterm.packing import build_packages, shipment_prints
    from pickterm.printers import PrintError, send_job
    from pickterm.services import Services
    from pickterm.store.config import ConfigError
    from pickterm.store.state import StateError

    printer: Any = None
    if args.label_action == "print":
        try:
            printer = printer_from_args(args, args.printer)
        except (ValueError, ConfigError) as exc:
            return fail(exc, INVALID)
    elif args.output is None and sys.stdout.isatty():
        return fail(_("a label is not for the terminal: give -o FILE (or redirect stdout)"), INVALID)
    services = Services.from_args(args)
    sandbox = services.make_sandbox()
    transport = sandbox.transport() if sandbox is not None else None
    db: Any = None
    if printer is not None:
        try:
            db = services.open_state()
        except StateError as exc:
            return fail(_("nothing was printed: {error}").format(error=exc), STORE_FAILED)

    async def go() -> Any:
        packages: list[Any] = []
        async with client_from_args(args) as client:
            shipment = await client.get_shipment(args.shipment_id, by="external" if args.external else "internal")
            if printer is not None and shipment.order_id:  # its packages, as the pack screen counts them
                summaries = await client.list_shipments(shipment.order_id)
                ids = [s.id for s in summaries if s.id != shipment.id]
                others = dict(zip(ids, await asyncio.gather(*(client.get_shipment(i) for i in ids)), strict=True))
                ordered = [shipment if s.id == shipment.id else others[s.id] for s in summaries]
                if shipment.id not in {s.id for s in summaries}:
                    ordered.append(shipment)
                packages = build_packages(None, ordered)
        label = _pick(shipment, args.type, printer)
        if label is None:
            raise LookupError(
                _("shipment {id} has no {type} label").format(id=shipment.id, type=args.type or _("printable"))
                + (f" ({', '.join(str(lb.type) for lb in shipment.labels)})" if shipment.labels else "")
            )
        prints = None
        if printer is not None:
            prints = shipment_prints(db, shipment.order_id or shipment.id, packages, shipment.id)
            if prints.printed and not args.reprint:
                return shipment, prints, None
        return shipment, prints, await fetch_label(label, transport=transport)

    try:
        shipment, prints, fetched = asyncio.run(go())
    except LabelError as exc:
        words = _(LABEL_ERROR_WORDS[exc.code]) if exc.code in LABEL_ERROR_WORDS else exc.code
        return fail(_("label: {why}").format(why=words) + (f" ({exc.detail})" if exc.detail else ""), API_FAILED)
    except LookupError as exc:
        return fail(exc, INVALID)
    except StateError as exc:
        return fail(_("nothing was printed: {error}").format(error=exc), STORE_FAILED)
    except (PickPackError, ConfigError, ValueError) as exc:
        return fail(exc)
    if fetched is None:  # printed before, and no --reprint
        if args.json:
            sys.stdout.write(
                dumps({"shipment": shipment.id, "error": "already_printed", "prints": prints.count}) + "\n"
            )
        return fail(_already_printed(shipment.id, prints.count), INVALID)
    result: dict[str, Any] = {
        "shipment": shipment.id,
        "tracking": shipment.service_id,
        "type": fetched.type,
        "print_type": fetched.print_type,
        "bytes": len(fetched.data),
    }
    if args.label_action == "get":
        if args.output:
            try:
                with open(args.output, "wb") as out:
                    out.write(fetched.data)
            except OSError as exc:
                return fail(
                    _("cannot write {file}: {error}").format(file=args.output, error=exc.strerror or exc), INVALID
                )
            result["file"] = os.path.abspath(args.output)
            if args.json:
                sys.stdout.write(dumps(result) + "\n")
        else:
            sys.stdout.buffer.write(fetched.data)
            sys.stdout.flush()
        return 0
    try:
        where = send_job(printer, fetched.data, fetched.print_type, f"{shipment.id}")
    except PrintError as exc:
        if exc.maybe_printed and not _recorded(db, prints, exc.code, uncertain=True):
            return fail(_("the label may have printed, but the local store could not record it"), STORE_FAILED)
        if args.json:
            sys.stdout.write(dumps({**result, "error": exc.code, "maybe_printed": exc.maybe_printed}) + "\n")
        return fail(print_error_words(exc), print_status(exc))
    result["printed"] = where
    if not _recorded(db, prints, where):
        return fail(
            _("the label was sent to {where}, but the local store could not record it").format(where=where),
            STORE_FAILED,
        )
    result["prints"] = count = prints.count + 1
    if args.json:
        sys.stdout.write(dumps(result) + "\n")
    else:
        times = _(" (printed {n} times)").format(n=count) if count > 1 else ""
        sys.stdout.write(_("label of {id} sent to {where}").format(id=shipment.id, where=where) + times + "\n")
    return 0

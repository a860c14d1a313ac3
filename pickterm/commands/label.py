"""``pickterm label get|print SHIPMENT_ID``: a shipment's label, fetched from its URL under the
label rules (https only, a size limit, no redirect to another scheme, never the API token).

``get`` writes it to ``-o FILE`` (or stdout when that is not a terminal); ``print`` sends it to
the printer (``--printer SPEC``, else the profile's) and keeps the print in the local store's
pack events for the shipment's packages, as the pack screen does: a label printed before (by
either) is printed again only with ``--reprint``. Exit statuses: 0 done, 1 the API or the label
host failed, 2 bad usage, no printer, no label of that type or a reprint not asked for, 4 the
local store failed, 5 the job may have printed, 6 the printer did not take it (nothing printed).
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

"""``pickterm label get|print SHIPMENT_ID``: a shipment's label, fetched from its URL under the
label rules (https only, a size limit, no redirect to another scheme, never the API token).

``get`` writes it to ``-o FILE`` (or stdout when that is not a terminal); ``print`` sends it to
the printer (``--printer SPEC``, else the profile's). Exit statuses: 0 done, 1 the API or the
label host failed, 2 bad usage, no printer or no label of that type, 5 the job may have printed,
6 the printer did not take it (nothing printed).
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


def run(args: argparse.Namespace) -> int:
    from pickterm.api import PickPackError
    from pickterm.commands._connect import client_from_args
    from pickterm.commands._errors import API_FAILED, INVALID, fail
    from pickterm.commands.get import dumps
    from pickterm.commands.printer import LABEL_ERROR_WORDS, print_error_words, print_status, printer_from_args
    from pickterm.i18n import _
    from pickterm.labels import LabelError, fetch_label
    from pickterm.printers import PrintError, send_job
    from pickterm.services import Services
    from pickterm.store.config import ConfigError

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

    async def go() -> Any:
        async with client_from_args(args) as client:
            shipment = await client.get_shipment(args.shipment_id, by="external" if args.external else "internal")
        label = _pick(shipment, args.type, printer)
        if label is None:
            raise LookupError(
                _("shipment {id} has no {type} label").format(id=shipment.id, type=args.type or _("printable"))
                + (f" ({', '.join(str(lb.type) for lb in shipment.labels)})" if shipment.labels else "")
            )
        return shipment, await fetch_label(label, transport=transport)

    try:
        shipment, fetched = asyncio.run(go())
    except LabelError as exc:
        words = _(LABEL_ERROR_WORDS[exc.code]) if exc.code in LABEL_ERROR_WORDS else exc.code
        return fail(_("label: {why}").format(why=words) + (f" ({exc.detail})" if exc.detail else ""), API_FAILED)
    except LookupError as exc:
        return fail(exc, INVALID)
    except (PickPackError, ConfigError, ValueError) as exc:
        return fail(exc)
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
        if args.json:
            sys.stdout.write(dumps({**result, "error": exc.code, "maybe_printed": exc.maybe_printed}) + "\n")
        return fail(print_error_words(exc), print_status(exc))
    result["printed"] = where
    sys.stdout.write(
        dumps(result) + "\n"
        if args.json
        else _("label of {id} sent to {where}").format(id=shipment.id, where=where) + "\n"
    )
    return 0

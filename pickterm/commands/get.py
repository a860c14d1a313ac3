"""``pickterm get KIND ID``: print one API resource as JSON on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from typing import TYPE_CHECKING

from pickterm.commands._options import add_connection_options

if TYPE_CHECKING:
    from pickterm.api.client import PickPackClient

# What json.dumps(ensure_ascii=False) leaves raw but a terminal may act on: DEL, the C1
# controls (U+009B is a CSI on its own) and bidi controls. Escaped as \uXXXX, the JSON
# still says exactly what the server sent.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(data: object) -> str:
    """JSON for stdout: UTF-8 text as sent, every control character escaped."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("get", help="print an order, worksheet, facility or shipment as JSON")
    add_connection_options(parser)
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True, parser_class=type(parser))
    for kind, help_text in (
        ("order", "one order by its orderId"),
        ("worksheet", "one worksheet by its 12-digit worksheetId"),
        ("facility", "one facility by its id"),
    ):
        p = kinds.add_parser(kind, help=help_text)
        p.add_argument("id")
        add_connection_options(p)
        p.set_defaults(func=run)
    p = kinds.add_parser("shipment", help="one shipment by its UUID, or by tracking number with --external")
    p.add_argument("id")
    p.add_argument("--external", action="store_true", help="the id is the carrier's tracking number")
    add_connection_options(p)
    p.set_defaults(func=run)
    for kind in ("worksheets", "shipments"):
        p = kinds.add_parser(kind, help=f"the {kind} of an order")
        p.add_argument("--order", required=True, metavar="ORDER_ID")
        add_connection_options(p)
        p.set_defaults(func=run)


async def fetch(client: PickPackClient, args: argparse.Namespace) -> object:
    """What ``get KIND`` names, fetched as home would fetch an id of that kind (pickterm.resolve)."""
    from pickterm.resolve import fetch_one

    if args.kind in ("worksheets", "shipments"):
        return await fetch_one(client, args.kind, args.order)
    kind = "tracking" if args.kind == "shipment" and args.external else args.kind
    return await fetch_one(client, kind, args.id)


async def other_way(client: PickPackClient, args: argparse.Namespace) -> str:
    """A shipment not found by its internal id: whether ``--external`` (the tracking number) finds it."""
    from pickterm.api import PickPackError
    from pickterm.api.errors import NotFoundError

    try:
        await client.get_shipment(args.id, by="external")
    except NotFoundError:
        return f"Not a tracking number either: --external does not find {args.id}."
    except PickPackError as exc:
        return f"Could not check whether --external finds it: {exc}"
    return f"It is a tracking number: pickterm get shipment {args.id} --external"


def run(args: argparse.Namespace) -> int:
    from pickterm.api import PickPackError
    from pickterm.api.errors import NotFoundError
    from pickterm.api.models import ApiModel
    from pickterm.commands._connect import client_from_args
    from pickterm.commands._errors import fail, say
    from pickterm.store.config import ConfigError

    async def go() -> int:
        async with client_from_args(args) as client:
            try:
                result = await fetch(client, args)
            except NotFoundError as exc:
                if args.kind != "shipment" or args.external:
                    raise
                hint = await other_way(client, args)
                status = fail(exc)
                say(hint)
                return status
        # Every kind ``get`` names is read into models: one, or a list of them.
        items = [item for item in (result if isinstance(result, list) else [result]) if isinstance(item, ApiModel)]
        sent = [item.as_sent() for item in items]
        data = sent if isinstance(result, list) else sent[0]
        sys.stdout.write(dumps(data) + "\n")
        for item in items:  # what the screens could not read: said, never hidden
            for problem in item.problems:
                say(f"warning: part of the answer could not be read: {problem}")
        return 0

    try:
        return asyncio.run(go())
    except (PickPackError, ConfigError, ValueError) as exc:  # the API, a broken config, a bad URL or setting
        return fail(exc)

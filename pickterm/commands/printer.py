"""``pickterm printer list|status|test [PRINTER]``: the label printer of the packing station.

PRINTER is a spec (``tcp://HOST[:PORT]``, ``cups:QUEUE``, ``cups://SERVER/QUEUE``, ``file:DIR``);
without it, the profile's ``printer`` (``--demo``: files under the demo's state directory).
Exit statuses: 0 ready / printed, 2 no printer or a bad spec, 6 the printer is not ready or
cannot be reached (nothing printed), 5 the job may have printed (the connection dropped).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

PRINTER_FAILED = 6  # the printer did not take the job: nothing printed
MAYBE_PRINTED = 5  # the connection dropped during the job: it may have printed


def register(sub: argparse._SubParsersAction) -> None:
    from pickterm.cli import add_connection_options

    parser = sub.add_parser("printer", help="the label printer: list, status, test")
    add_connection_options(parser)
    actions = parser.add_subparsers(dest="printer_action", metavar="ACTION", required=True, parser_class=type(parser))
    for action, help_text in (
        ("list", "the printers this profile can use"),
        ("status", "whether the printer is ready (~HS on TCP: paper out, head open, paused)"),
        ("test", "print a small test label"),
    ):
        p = actions.add_parser(action, help=help_text)
        if action != "list":
            p.add_argument("printer", nargs="?", metavar="PRINTER", help="a printer spec; default: the profile's")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        add_connection_options(p)
        p.set_defaults(func=run)


def demo_printer_spec() -> str:
    """The demo's printer: one file a label under the demo's state directory."""
    from pickterm.store.state import state_path

    return f"file:{state_path(demo=True).parent / 'demo-labels'}"


def printer_from_args(args: argparse.Namespace, spec: str | None = None) -> Any:
    """The printer a command uses: ``spec``, else the profile's ``printer`` (the demo's own with
    ``--demo``). ValueError when there is none or it cannot be read; ConfigError from the config."""
    from pickterm.printers import parse_printer
    from pickterm.services import Services

    if not spec:
        if getattr(args, "demo", False):
            spec = demo_printer_spec()
        else:
            settings = Services.from_args(args).load_settings()
            spec = getattr(settings, "printer", None)
    if not spec:
        raise ValueError("no printer is set: pickterm config set printer tcp://HOST (or cups:QUEUE, file:DIR)")
    return parse_printer(spec)


def print_error_words(exc: Any) -> str:
    """A PrintError as one sentence for the command line."""
    from pickterm.printers import PRINT_ERRORS

    words = PRINT_ERRORS.get(exc.code, exc.code)
    if exc.status is not None and exc.status.problems:
        words = f"the printer is not ready ({', '.join(p.replace('_', ' ') for p in exc.status.problems)}); nothing was sent"
    return f"{words} ({exc.detail})" if exc.detail and exc.code != "not_ready" else words


def print_status(exc: Any) -> int:
    return MAYBE_PRINTED if exc.maybe_printed else PRINTER_FAILED


def run(args: argparse.Namespace) -> int:
    from pickterm.commands._errors import INVALID, fail
    from pickterm.commands.get import dumps
    from pickterm.printers import PrintError, printer_status, send_job, test_label
    from pickterm.store.config import ConfigError

    try:
        printer = printer_from_args(args, getattr(args, "printer", None))
    except (ValueError, ConfigError) as exc:
        return fail(exc, INVALID)
    described = {"spec": printer.spec, "kind": printer.kind}
    if args.printer_action == "list":
        sys.stdout.write(dumps([described]) + "\n" if args.json else f"{printer.spec}\t{printer.kind}\n")
        return 0
    try:
        if args.printer_action == "status":
            status = printer_status(printer)
            result = {**described, "ready": status.ready, "problems": list(status.problems)}
            if args.json:
                sys.stdout.write(dumps(result) + "\n")
            else:
                words = ", ".join(p.replace("_", " ") for p in status.problems)
                sys.stdout.write(f"{printer.spec}: {'ready' if status.ready else 'not ready: ' + words}\n")
            return 0 if status.ready else PRINTER_FAILED
        data, kind = test_label(printer)
        where = send_job(printer, data, kind, "pickterm-test")
    except PrintError as exc:
        if args.json:
            sys.stdout.write(dumps({**described, "error": exc.code, "maybe_printed": exc.maybe_printed}) + "\n")
        return fail(print_error_words(exc), print_status(exc))
    sys.stdout.write(dumps({**described, "printed": where}) + "\n" if args.json else f"test label sent to {where}\n")
    return 0

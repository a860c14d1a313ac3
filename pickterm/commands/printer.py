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

from pickterm.i18n import N_, _

# The printer's own problems (~HS) and the printer's and label host's failures, in words
# (the pack screen says them too).
PROBLEM_WORDS = {"paper_out": N_("paper out"), "head_open": N_("head open"), "paused": N_("paused")}
PRINT_ERROR_WORDS = {
    "bad_spec": N_("the printer setting cannot be read"),
    "not_ready": N_("the printer is not ready"),
    "dropped": N_("the connection dropped during the job: it may have printed"),
    "unreachable": N_("the printer cannot be reached"),
    "no_status": N_("the printer does not answer its status"),
    "wrong_kind": N_("this printer cannot print this label's type"),
    "no_lp": N_("the CUPS client (lp) is not installed"),
    "lp_failed": N_("CUPS refused the job"),
    "file_failed": N_("the label file cannot be written"),
}
LABEL_ERROR_WORDS = {
    "no_url": N_("the label has no URL"),
    "bad_type": N_("the label's type is not PDF, BASE64, TEXT or ZPL"),
    "bad_url": N_("the label URL is not https"),
    "bad_redirect": N_("the label host redirected to a URL that is not https"),
    "too_many_redirects": N_("the label host redirected too many times"),
    "too_large": N_("the label is too large"),
    "not_found": N_("the label host has no such label"),
    "http_error": N_("the label host answered with an error"),
    "timeout": N_("the label host did not answer in time"),
    "unreachable": N_("the label host cannot be reached"),
    "wrong_content": N_("the label host sent something that is not this label"),
}


PRINTER_FAILED = 6  # the printer did not take the job: nothing printed
MAYBE_PRINTED = 5  # the connection dropped during the job: it may have printed


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pickterm.commands._options import add_connection_options

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
        raise ValueError(_("no printer is set: pickterm config set printer tcp://HOST (or cups:QUEUE, file:DIR)"))
    return parse_printer(spec)


def print_error_words(exc: Any) -> str:
    """A PrintError as one sentence for the command line."""
    if exc.status is not None and exc.status.problems:
        problems = ", ".join(_(PROBLEM_WORDS[p]) for p in exc.status.problems if p in PROBLEM_WORDS)
        return _("the printer is not ready ({problems}); nothing was sent").format(problems=problems)
    words = _(PRINT_ERROR_WORDS[exc.code]) if exc.code in PRINT_ERROR_WORDS else exc.code
    if exc.code in ("unreachable", "no_status"):
        words = _("{reason}; nothing was sent").format(reason=words)
    return f"{words} ({exc.detail})" if exc.detail else words


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
                words = ", ".join(_(PROBLEM_WORDS[p]) for p in status.problems if p in PROBLEM_WORDS)
                state = _("ready") if status.ready else _("not ready: {problems}").format(problems=words)
                sys.stdout.write(f"{printer.spec}: {state}\n")
            return 0 if status.ready else PRINTER_FAILED
        data, kind = test_label(printer)
        where = send_job(printer, data, kind, "pickterm-test")
    except PrintError as exc:
        if args.json:
            sys.stdout.write(dumps({**described, "error": exc.code, "maybe_printed": exc.maybe_printed}) + "\n")
        return fail(print_error_words(exc), print_status(exc))
    sys.stdout.write(
        dumps({**described, "printed": where}) + "\n"
        if args.json
        else _("test label sent to {where}").format(where=where) + "\n"
    )
    return 0

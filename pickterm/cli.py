"""Command line entry point: the app by default, scriptable subcommands otherwise.

Each subcommand lives in a module of ``pickterm.commands`` that provides
``register(subparsers)``; the parser it adds sets ``func`` (returns the exit status).
Exit statuses: 0 success, 1 API or network error, 2 bad usage or config, 3 queued,
4 local store failure, 5 sent but no answer (may have been applied).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, NoReturn

from pickterm import __version__

# Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("get", "sandbox", "config", "track", "outbox")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with one line, never a traceback
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_connection_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Options every command that talks to the API shares.

    They are accepted before and after the subcommand; a subcommand's copy has no
    default of its own, so it never overwrites what was given before it.
    """
    unset: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--profile", help="config profile to use", **unset)
    parser.add_argument("--api-url", help="Pick and Pack API base URL", **unset)
    parser.add_argument("--auth-url", help="authentication base URL (POST /token)", **unset)
    parser.add_argument("--demo", action="store_true", help="use the embedded demo backend", **unset)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pickterm", description="Terminal picking assistant for the VTEX Pick and Pack API.")
    parser.add_argument("--version", action="version", version=f"pickterm {__version__}")
    add_connection_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"pickterm.commands.{name}")
        except ModuleNotFoundError as exc:  # a command still being built
            if exc.name != f"pickterm.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


_VALUE_OPTIONS = {"--profile", "--api-url", "--auth-url"}


def _wants_subcommand(argv: list[str]) -> bool:
    """True when argv names a subcommand or asks for help: only then load every command module."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in ("-h", "--help"):
            return True
        elif token in _VALUE_OPTIONS:
            skip = True
        elif not token.startswith("-"):
            return True
    return False


def build_app_parser() -> argparse.ArgumentParser:
    """The parser for starting the app: no subcommand modules imported, so the first frame comes fast."""
    parser = _Parser(prog="pickterm", description="Terminal picking assistant for the VTEX Pick and Pack API.")
    parser.add_argument("--version", action="version", version=f"pickterm {__version__}")
    add_connection_options(parser, top=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser() if _wants_subcommand(argv) else build_app_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "func", None) is None:
            from pickterm.commands.app import run_app

            return run_app(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130

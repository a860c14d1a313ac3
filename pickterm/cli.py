"""Command line entry point: the app by default, scriptable subcommands otherwise.

Each subcommand lives in a module of ``pickterm.commands`` that provides
``register(subparsers)``; the parser it adds sets ``func`` (returns the exit status).
Exit statuses: 0 success, 1 API or network error, 2 bad usage or config, 3 queued,
4 local store failure, 5 sent but no answer (may have been applied).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any, NoReturn, TextIO

from pickterm import __version__
from pickterm.commands._options import VALUE_OPTIONS, add_connection_options, check_options

# Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("get", "sandbox", "config", "track", "outbox", "keys", "label", "printer", "serve")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with one line, never a traceback
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


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


def _wants_subcommand(argv: list[str]) -> bool:
    """True when argv names a subcommand or asks for help: only then load every command module."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in ("-h", "--help"):
            return True
        elif token in VALUE_OPTIONS:
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


class SafeStream:
    """stderr as pickterm writes it: secrets redacted, no terminal or bidi control.

    Every human message passes here (argparse's too); line breaks between messages are
    kept, anything else a server or an argument smuggled in is made visible and harmless.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from pickterm.text import clean, redact

        return self._stream.write(clean(redact(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


SIGPIPE_EXIT = 141  # 128 + SIGPIPE: what a Unix tool's shell reports when its reader went away


def _quiet_closed_stdout() -> int:
    """The reader of stdout went away (``| head -1``): stop quietly, as Unix tools do."""
    try:  # nothing more may reach the closed pipe, not even the flush at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return SIGPIPE_EXIT


def _warn_about_permissions(args: argparse.Namespace) -> None:
    """One line per private file or directory others can read (not for --demo, nor while fixing it)."""
    if getattr(args, "demo", False) or getattr(args, "config_action", None) in ("fix-perms", "path"):
        return
    from pickterm.store.config import permission_warnings

    for warning in permission_warnings():
        print(f"pickterm: warning: {warning}", file=sys.stderr)


def _start_app(args: argparse.Namespace) -> int:
    """The terminal app.

    What is imported to draw it (Textual, the App, the home screen) lives as long as the
    program: the garbage collector is off while it is imported (its passes found next to
    nothing to free there), and it is then frozen, so that full passes no longer walk it
    (one took 10 ms or more while the home screen was drawn; tests/benchmarks/bench_startup.py).
    """
    import gc

    gc.disable()
    try:
        import pickterm.app  # noqa: F401
        import pickterm.screens.lookup  # noqa: F401
        from pickterm.commands.app import run_app

        gc.freeze()
    finally:
        gc.enable()
    return run_app(args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    stderr = sys.stderr
    if not isinstance(stderr, SafeStream):
        sys.stderr = SafeStream(stderr)
    from pickterm.i18n import choose_language, set_language

    set_language(choose_language())  # PICKTERM_LANG or the locale; a profile's language once it is read
    try:
        parser = build_parser() if _wants_subcommand(argv) else build_app_parser()
        args = parser.parse_args(argv)
        check_options(parser, args)
        _warn_about_permissions(args)
        if getattr(args, "func", None) is None:
            return _start_app(args)
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _quiet_closed_stdout()
    finally:
        sys.stderr = stderr

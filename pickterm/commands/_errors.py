"""The command line's one error printer: ``pickterm: <message>`` on one line of stderr.

Every subcommand says what went wrong through :func:`say` or :func:`fail`, so every
message is sanitised (no terminal or bidi control), has secrets redacted and stays on
one line (:func:`pickterm.text.safe_message`); ``cli.main`` wraps stderr as well.

Exit statuses (also in ``pickterm.cli``): 0 success, 1 API or network error, 2 bad
usage or config, 3 queued, 4 local store failure, 5 sent but no answer.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

from pickterm.text import safe_message

__all__ = ["API_FAILED", "INVALID", "QUEUED", "STORE_FAILED", "UNCERTAIN", "fail", "failing_on", "say"]

Command = Callable[[argparse.Namespace], int]

API_FAILED = 1  # the API or the network failed
INVALID = 2  # bad usage, bad input or a broken config
QUEUED = 3  # stored in the outbox, not sent yet
STORE_FAILED = 4  # the local store failed (disk full, locked, unreadable)
UNCERTAIN = 5  # sent, but whether the server applied it is unknown


def say(message: object) -> None:
    """``pickterm: <message>`` on one line of stderr, made safe (sanitised, redacted)."""
    print(f"pickterm: {safe_message(message)}", file=sys.stderr)


def fail(error: object, status: int | None = None) -> int:
    """Say ``error``; the exit status: ``status`` when given, else 1 for an API/network error, 2 otherwise."""
    say(error)
    if status is not None:
        return status
    from pickterm.api.errors import PickPackError

    return API_FAILED if isinstance(error, PickPackError) else INVALID


def failing_on(*kinds: type[BaseException], status: int | None = None) -> Callable[[Command], Command]:
    """A command that says an error of ``kinds`` with :func:`fail` (one line, its exit status) instead of raising it."""

    def wrap(func: Command) -> Command:
        @functools.wraps(func)
        def run(args: argparse.Namespace) -> int:
            try:
                return func(args)
            except kinds as exc:
                return fail(exc, status)

        return run

    return wrap

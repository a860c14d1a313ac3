"""The command line's shared options (--demo, --profile, --api-url, --auth-url), in one place.

Which command takes which (README, "Command line"), how a command adds them, and the check
that refuses one given to a command that does not take it. ``pickterm.cli`` and the command
modules both import from here; no command module imports ``pickterm.cli``.
"""

from __future__ import annotations

import argparse
from typing import Any

VALUE_OPTIONS = ("--profile", "--api-url", "--auth-url")
"""The shared options that take a value (the next word on the line)."""

ALL_OPTIONS = ("--demo", *VALUE_OPTIONS)

# Which of the shared options each command takes (README, "Command line"); anywhere on the line.
COMMAND_OPTIONS: dict[str | None, tuple[str, ...]] = {
    None: ALL_OPTIONS,  # the app
    "get": ALL_OPTIONS,
    "track": ALL_OPTIONS,
    "outbox flush": ALL_OPTIONS,
    "outbox retry": ALL_OPTIONS,  # an entry stored before targets takes this profile's
    "outbox": ("--demo",),  # list, supersede, discard: the local outbox (--demo: the demo's)
    "config": ("--profile",),
    "keys": ("--profile",),
    "sandbox": (),
    "serve": ("--demo", "--profile"),
}
OPTION_DEST = {"--demo": "demo", "--profile": "profile", "--api-url": "api_url", "--auth-url": "auth_url"}


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


def check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """An option given before the subcommand that the subcommand does not take is bad usage, not ignored."""
    command = getattr(args, "command", None)
    action = getattr(args, "outbox_action", None)
    if command == "outbox" and action in ("flush", "retry"):
        command = f"outbox {action}"
    allowed = COMMAND_OPTIONS.get(command, ALL_OPTIONS)
    for option, dest in OPTION_DEST.items():
        if option not in allowed and getattr(args, dest, None) not in (None, False):
            takes = ", ".join(allowed) if allowed else "none of --demo, --profile, --api-url, --auth-url"
            parser.error(f"'pickterm {command}' does not take {option} (it takes {takes})")

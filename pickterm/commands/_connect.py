"""What the subcommands share: a client from the command line, and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pickterm.api import PickPackClient, PickPackError
from pickterm.connect import client_from_settings, demo_client
from pickterm.text import safe_message


def settings_from_args(args: argparse.Namespace):
    """Effective settings: flags, then PICKTERM_* environment, then the config file, then defaults."""
    from pickterm.store.config import load_settings

    return load_settings(
        getattr(args, "profile", None),
        api_url=getattr(args, "api_url", None),
        auth_url=getattr(args, "auth_url", None),
    )


def client_from_args(args: argparse.Namespace, **kwargs: Any) -> PickPackClient:
    """The client a command should use. Raises ConfigError (exit 2) or ValueError on a bad URL."""
    if getattr(args, "demo", False):
        return demo_client(**kwargs)
    return client_from_settings(settings_from_args(args), **kwargs)


def fail(error: BaseException) -> int:
    """Report an error on one line of stderr; the exit status: 1 for API/network, 2 for usage/config."""
    print(f"pickterm: {safe_message(error)}", file=sys.stderr)
    return 1 if isinstance(error, PickPackError) else 2

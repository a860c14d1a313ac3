"""What the subcommands share: a client from the command line (errors: ``_errors``)."""

from __future__ import annotations

import argparse
from typing import Any

from pickterm.api import PickPackClient
from pickterm.connect import client_from_settings, demo_client


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

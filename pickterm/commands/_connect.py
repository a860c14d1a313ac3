"""Building a client from command-line arguments, config and environment."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pickterm.api import PickPackClient, PickPackError


def demo_client(sandbox: Any = None, **kwargs: Any) -> PickPackClient:
    """A client wired in-process to the embedded sandbox (no port, no key, no network)."""
    from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox

    sandbox = sandbox or Sandbox()
    return PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=sandbox.transport(), **kwargs)


def settings_from_args(args: argparse.Namespace):
    """Effective settings: flags, then PICKTERM_* environment, then the config file, then defaults."""
    from pickterm.store.config import load_settings

    return load_settings(
        getattr(args, "profile", None),
        api_url=getattr(args, "api_url", None),
        auth_url=getattr(args, "auth_url", None),
    )


def client_from_settings(settings: Any, **kwargs: Any) -> PickPackClient:
    key = settings.api_key.get_secret_value() if settings.api_key is not None else ""
    return PickPackClient(settings.api_url, settings.auth_url, key, auth_scheme=settings.auth_scheme, **kwargs)


def client_from_args(args: argparse.Namespace, **kwargs: Any) -> PickPackClient:
    """The client a command should use. Raises ConfigError (exit 2) or ValueError on a bad URL."""
    if getattr(args, "demo", False):
        return demo_client(**kwargs)
    return client_from_settings(settings_from_args(args), **kwargs)


def fail(error: BaseException) -> int:
    """Report an error on one line of stderr and return the exit status for it."""
    if isinstance(error, PickPackError):
        print(f"pickterm: {error}", file=sys.stderr)
        return 1
    print(f"pickterm: {error}", file=sys.stderr)
    return 2

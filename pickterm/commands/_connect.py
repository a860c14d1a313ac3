"""What the subcommands share: a client from the command line, and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pickterm.api import PickPackClient, PickPackError
from pickterm.services import Services
from pickterm.text import safe_message


def client_from_args(args: argparse.Namespace, **kwargs: Any) -> PickPackClient:
    """The client a command should use (see :meth:`Services.new_client`). Raises ConfigError
    (exit 2) or ValueError on a bad URL."""
    return Services.from_args(args).new_client(**kwargs)


def fail(error: BaseException) -> int:
    """Report an error on one line of stderr; the exit status: 1 for API/network, 2 for usage/config."""
    print(f"pickterm: {safe_message(error)}", file=sys.stderr)
    return 1 if isinstance(error, PickPackError) else 2

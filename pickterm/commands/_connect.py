"""What the subcommands share: a client from the command line (errors: ``_errors``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Unpack

from pickterm.api import PickPackClient
from pickterm.services import Services

if TYPE_CHECKING:
    from pickterm.api.client import ClientOptions


def client_from_args(args: argparse.Namespace, **kwargs: Unpack[ClientOptions]) -> PickPackClient:
    """The client a command should use (see :meth:`Services.new_client`). Raises ConfigError
    (exit 2) or ValueError on a bad URL."""
    return Services.from_args(args).new_client(**kwargs)

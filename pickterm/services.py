"""What the commands and the App work with, in one typed object, without Textual.

:class:`Services` holds the effective settings, the API client, the local store
(:class:`~pickterm.store.state.StateDB`), the outbox on it and, in demo mode, the
sandbox. The command line makes one with :meth:`Services.from_args`; ``pickterm`` with
no subcommand hands that same object (its settings already read) to the App, and the
App makes one from its keyword arguments when started without it (tests, screenshots).

Each part is made on first use, once, by the method that names it, so the App can take
them in the order its start-up needs: the store before the home screen is complete (its
demo ids come from the demo data, not the sandbox), the sandbox and the API layer (httpx,
pydantic) after. Nothing heavy is imported with this module: every import of the API layer
or SQLite is inside the method that needs it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Unpack

if TYPE_CHECKING:
    from pickterm.api.client import ClientOptions, PickPackClient
    from pickterm.sandbox.backend import Sandbox
    from pickterm.store.config import Settings
    from pickterm.store.outbox import Outbox
    from pickterm.store.state import StateDB

__all__ = ["DEMO_PROFILE", "Services"]

DEMO_PROFILE = "demo"  # whose lookups the demo's store holds


@dataclass
class Services:
    """The settings, client, local store, outbox and sandbox of one run of pickterm.

    ``profile``, ``api_url`` and ``auth_url`` are the command line's overrides; the
    other fields are None until made (or when given ready-made)."""

    demo: bool = False
    profile: str | None = None
    api_url: str | None = None
    auth_url: str | None = None
    settings: Settings | None = None
    sandbox: Sandbox | None = None
    state: StateDB | None = None
    outbox: Outbox | None = None
    client: PickPackClient | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Services:
        """The services a command line asks for (``--demo``, ``--profile``, ``--api-url``, ``--auth-url``)."""
        return cls(
            demo=bool(getattr(args, "demo", False)),
            profile=getattr(args, "profile", None),
            api_url=getattr(args, "api_url", None),
            auth_url=getattr(args, "auth_url", None),
        )

    # ------------------------------------------------------------ settings

    def load_settings(self) -> Settings | None:
        """The effective settings, read once: flags, then ``PICKTERM_*``, then the config file,
        then defaults. None in demo mode. Raises ConfigError (a broken file) or ValueError."""
        if self.settings is None and not self.demo:
            from pickterm.store.config import load_settings

            self.settings = load_settings(self.profile, api_url=self.api_url, auth_url=self.auth_url)
            _speak(self.settings)
        return self.settings

    @property
    def profile_name(self) -> str | None:
        """The profile the local state belongs to (its recent lookups): the settings' one, None
        until they are read; in demo mode ``demo`` (the demo's store is its own anyway)."""
        if self.demo:
            return DEMO_PROFILE
        return self.settings.profile if self.settings is not None else None

    # ------------------------------------------------------------ sandbox

    def make_sandbox(self) -> Sandbox | None:
        """The demo backend's data (made once; no httpx, no pydantic); None outside demo mode."""
        if self.demo and self.sandbox is None:
            from pickterm.sandbox.backend import Sandbox

            self.sandbox = Sandbox()
        return self.sandbox

    def demo_samples(self) -> dict[str, list[tuple[str, str]]]:
        """The demo ids a home screen lists, with their labels: the sandbox's once it is built
        (a big worksheet added), else from the demo data alone; none outside demo mode."""
        if not self.demo:
            return {}
        if self.sandbox is not None:
            return self.sandbox.samples()
        from pickterm.sandbox import data

        return data.samples()

    # ------------------------------------------------------------ the local store

    def open_state(self) -> StateDB:
        """The local store (the demo's own in demo mode), opened once. Raises StateError."""
        if self.state is None:
            from pickterm.store.state import StateDB

            self.state = StateDB.open(demo=self.demo)
        return self.state

    def read_state(self) -> StateDB | None:
        """A reader of the local store that takes no write lock and creates nothing (``pickterm
        outbox list``); None when there is no store yet. Not kept: the caller closes it."""
        from pickterm.store.state import StateDB, state_path

        if not state_path(self.demo).exists():
            return None
        return StateDB.open_readonly(demo=self.demo)

    def open_outbox(self) -> Outbox:
        """The outbox on the local store (imports the API layer). Raises StateError."""
        if self.outbox is None or self.outbox.db is not self.state:
            from pickterm.store.outbox import Outbox

            self.outbox = Outbox(self.open_state())
        return self.outbox

    def forget_store(self) -> None:
        """The store could not be opened or was lost: no state and no outbox until opened again."""
        self.state = None
        self.outbox = None

    # ------------------------------------------------------------ the API client

    def new_client(self, **kwargs: Unpack[ClientOptions]) -> PickPackClient:
        """A client of its own for a command: the sandbox in-process in demo mode, else the
        settings' hosts and key (none configured: the server says so). ``kwargs`` go to
        :class:`~pickterm.api.client.PickPackClient`. Raises ConfigError or ValueError."""
        from pickterm.connect import client_from_settings, demo_client

        if self.demo:
            return demo_client(self.make_sandbox(), **kwargs)
        settings = self.load_settings()
        assert settings is not None  # loaded outside demo mode
        return client_from_settings(settings, **kwargs)

    def connect(self) -> PickPackClient | None:
        """The shared client (made once); None while no API key is configured (the setup is due)."""
        if self.client is None:
            settings = self.load_settings()
            if self.demo or (settings is not None and settings.api_key is not None):
                self.client = self.new_client()
        return self.client

    def use_settings(self, settings: Settings) -> PickPackClient | None:
        """Adopt new settings (the setup screen saved them) with a client for them; returns the
        client they replace, for the caller to close."""
        from pickterm.connect import client_from_settings

        old, self.client = self.client, client_from_settings(settings)
        self.settings = settings
        _speak(settings)
        return old


def _speak(settings: Settings) -> None:
    """The profile's language, when it has one, before PICKTERM_LANG and the locale."""
    from pickterm.i18n import choose_language, set_language

    set_language(choose_language(settings.language))

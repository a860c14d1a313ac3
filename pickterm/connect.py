"""Building a PickPackClient: in-process demo sandbox, or the effective settings. No Textual.

:class:`pickterm.services.Services` calls these; the tests use them to wire an App to a sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from pickterm.api import PickPackClient

if TYPE_CHECKING:
    from pickterm.api.client import ClientOptions
    from pickterm.sandbox.backend import Sandbox
    from pickterm.store.config import Settings


def demo_client(
    sandbox: Sandbox | None = None, *, profile: str = "demo", **kwargs: Unpack[ClientOptions]
) -> PickPackClient:
    """A client wired in-process to the embedded sandbox (no port, no key, no network)."""
    from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox

    sandbox = sandbox if sandbox is not None else Sandbox()
    kwargs["transport"] = sandbox.transport()  # the demo talks to the sandbox only
    return PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, profile=profile, **kwargs)


def client_from_settings(settings: Settings, **kwargs: Unpack[ClientOptions]) -> PickPackClient:
    """A client for the effective settings of a profile (see ``pickterm.store.config``)."""
    key = settings.api_key_value()
    if settings.max_response_mb:
        kwargs.setdefault("max_response_bytes", settings.max_response_mb * 1024 * 1024)
    if key and "token_cache" not in kwargs:
        from pickterm.api.auth import TokenCache
        from pickterm.store.state import state_path

        kwargs["token_cache"] = TokenCache.in_dir(
            state_path().parent, profile=settings.profile, auth_url=settings.auth_url, api_key=key
        )
    return PickPackClient(
        settings.api_url,
        settings.auth_url,
        key,
        auth_scheme=settings.auth_scheme,
        profile=settings.profile,
        **kwargs,
    )

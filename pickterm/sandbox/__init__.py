"""The embedded demo backend: a stateful fake of the Pick and Pack auth and API hosts.

``Sandbox`` holds the demo data and answers raw requests; ``SandboxTransport`` serves
it to httpx in-process; ``serve_in_thread`` serves it on a loopback socket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pickterm.sandbox.backend import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox
    from pickterm.sandbox.server import serve_in_thread
    from pickterm.sandbox.transport import SandboxTransport

__all__ = ["DEMO_API_KEY", "DEMO_API_URL", "DEMO_AUTH_URL", "Sandbox", "SandboxTransport", "serve_in_thread"]

# Each only when asked for: the app's home screen lists the demo ids from ``data`` alone, before
# the sandbox is built (and the transport and the server import httpx and asyncio's streams).
_BACKEND = "pickterm.sandbox.backend"
_LAZY = {
    "DEMO_API_KEY": _BACKEND,
    "DEMO_API_URL": _BACKEND,
    "DEMO_AUTH_URL": _BACKEND,
    "Sandbox": _BACKEND,
    "SandboxTransport": "pickterm.sandbox.transport",
    "serve_in_thread": "pickterm.sandbox.server",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pickterm.sandbox' has no attribute {name!r}")

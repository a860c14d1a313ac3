"""The embedded demo backend: a stateful fake of the Pick and Pack auth and API hosts.

``Sandbox`` holds the demo data and answers raw requests; ``SandboxTransport`` serves
it to httpx in-process; ``serve_in_thread`` serves it on a loopback socket.
"""

from pickterm.sandbox.backend import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox
from pickterm.sandbox.server import serve_in_thread
from pickterm.sandbox.transport import SandboxTransport

__all__ = ["DEMO_API_KEY", "DEMO_API_URL", "DEMO_AUTH_URL", "Sandbox", "SandboxTransport", "serve_in_thread"]

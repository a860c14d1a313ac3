"""An httpx transport that answers from a Sandbox in-process (no socket, no port)."""

from __future__ import annotations

import httpx

from pickterm.sandbox.backend import Headers, Sandbox, SandboxResponse


def _target(request: httpx.Request) -> str:
    """The raw (still percent-encoded) path and query of a request."""
    return request.url.raw_path.decode("ascii")


def _to_httpx(answer: SandboxResponse, request: httpx.Request) -> httpx.Response:
    return httpx.Response(answer.status, headers=answer.headers, content=answer.body, request=request)


class SandboxTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Serve a :class:`Sandbox` to ``httpx.AsyncClient`` (or ``httpx.Client``) in-process.

    Any host and any path prefix reach the sandbox: ``/prod/token`` on the auth base
    URL and ``/prod/v1/orders/{id}`` on the API base URL alike.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = await self.sandbox.handle_async(
            request.method, _target(request), Headers(request.headers.items()), body
        )
        return _to_httpx(answer, request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        answer = self.sandbox.handle_blocking(request.method, _target(request), Headers(request.headers.items()), body)
        return _to_httpx(answer, request)

"""The JWT the auth host issues: when it expires, and one refresh for many callers."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

import asyncio

DEFAULT_LIFETIME = 900.0  # the API's tokens live 15 minutes


def jwt_lifetime(token: str) -> float | None:
    """Seconds a JWT is valid for, from its ``iat`` and ``exp`` claims (None if unreadable).

    Measured as ``exp - iat`` rather than against our clock, so a terminal whose clock
    is off does not think every token is already expired.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        exp, iat = claims.get("exp"), claims.get("iat")
        if isinstance(exp, (int, float)) and isinstance(iat, (int, float)) and exp > iat:
            return float(exp - iat)
        if isinstance(exp, (int, float)):
            return max(0.0, float(exp) - time.time())
    except (IndexError, ValueError, TypeError, AttributeError):
        return None
    return None


@dataclass
class _Token:
    value: str
    renew_at: float  # monotonic time after which we fetch a new one


class TokenKeeper:
    """Holds the current token and makes sure concurrent callers share one refresh."""

    def __init__(self, fetch: Callable[[], Awaitable[str]], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def _fresh(self) -> str | None:
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token.value
        return None

    async def get(self) -> str:
        value = self._fresh()
        if value is not None:
            return value
        async with self._lock:
            value = self._fresh()  # another caller refreshed while we waited
            if value is not None:
                return value
            return await self._refresh()

    async def renew(self, stale: str) -> str:
        """The server said ``stale`` expired: fetch a new one, unless another caller already did."""
        async with self._lock:
            if self._token is not None and self._token.value != stale:
                return self._token.value
            return await self._refresh()

    async def _refresh(self) -> str:
        self.fetches += 1
        value = await self._fetch()
        lifetime = jwt_lifetime(value) or DEFAULT_LIFETIME
        # Renew a little before expiry: a minute, or a tenth of a short lifetime.
        margin = min(60.0, lifetime / 10)
        self._token = _Token(value, self._clock() + max(lifetime - margin, 1.0))
        return value

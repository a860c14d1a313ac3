"""The JWT the auth host issues: when it expires, one refresh for many callers, and a
cache file so that commands run one after another share one token.

The cache (:class:`TokenCache`) keeps the token only, never the API key: one file per
profile and auth URL, created 0600, holding the token, when to renew it (a little
before ``exp``) and a fingerprint of the key it was issued for, so a changed key never
reuses an old token. A token the server calls expired is dropped from it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pickterm.store import private_dir

log = logging.getLogger("pickterm.api.auth")

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


def _renew_after(lifetime: float) -> float:
    """Seconds after issue to renew: a minute before expiry, or a tenth of a short lifetime."""
    margin = min(60.0, lifetime / 10)
    return max(lifetime - margin, 1.0)


class TokenCache:
    """One token in a file between processes, for one profile, auth URL and API key.

    ``wall`` is the clock of the file (seconds since the epoch). Every problem with the
    file (missing, unreadable, not ours, another key) reads as "no token"."""

    VERSION = 1

    def __init__(
        self, path: Path, *, profile: str, auth_url: str, api_key: str, wall: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.profile = profile
        self.auth_url = auth_url
        self._key_id = hashlib.sha256(f"{auth_url}\0{api_key}".encode()).hexdigest()[:32]
        self._wall = wall

    @classmethod
    def in_dir(
        cls, directory: Path, *, profile: str, auth_url: str, api_key: str, wall: Callable[[], float] = time.time
    ) -> TokenCache:
        """The cache file of this profile and auth URL under ``directory/tokens``."""
        name = hashlib.sha256(f"{profile}\0{auth_url}".encode()).hexdigest()[:24]
        return cls(
            Path(directory) / "tokens" / f"{name}.json", profile=profile, auth_url=auth_url, api_key=api_key, wall=wall
        )

    def load(self) -> tuple[str, float] | None:
        """``(token, seconds until it should be renewed)``, or None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if (
                data.get("version") != self.VERSION
                or data.get("profile") != self.profile
                or data.get("authUrl") != self.auth_url
                or data.get("keyId") != self._key_id
            ):
                return None
            token, renew_at = str(data["token"]), float(data["renewAt"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        left = renew_at - self._wall()
        return (token, left) if left > 0 and token else None

    def store(self, token: str, renew_in: float) -> None:
        data = {
            "version": self.VERSION,
            "profile": self.profile,
            "authUrl": self.auth_url,
            "keyId": self._key_id,
            "token": token,
            "renewAt": self._wall() + renew_in,
        }
        try:
            private_dir(self.path.parent)
            temp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except OSError as exc:
            log.info("token cache %s not written: %s", self.path, exc)

    def drop(self, token: str | None = None) -> None:
        """Forget the cached token (only when it is ``token``, if given)."""
        if token is not None:
            cached = self.load()
            if cached is not None and cached[0] != token:
                return
        try:
            self.path.unlink()
        except OSError:
            pass


class TokenKeeper:
    """Holds the current token and makes sure concurrent callers share one refresh.
    With a :class:`TokenCache`, a token another process fetched is reused."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[str]],
        *,
        clock: Callable[[], float] = time.monotonic,
        cache: TokenCache | None = None,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._cache = cache
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def _fresh(self) -> str | None:
        token = self._token
        if token is not None and self._clock() < token.renew_at:
            return token.value
        if self._cache is not None:
            cached = self._cache.load()
            if cached is not None:
                self._token = _Token(cached[0], self._clock() + cached[1])
                return cached[0]
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
            if self._cache is not None:
                self._cache.drop(stale)
            return await self._refresh()

    async def _refresh(self) -> str:
        self.fetches += 1
        value = await self._fetch()
        lifetime = jwt_lifetime(value) or DEFAULT_LIFETIME
        renew_in = _renew_after(lifetime)
        self._token = _Token(value, self._clock() + renew_in)
        if self._cache is not None:
            self._cache.store(value, renew_in)
        return value

"""One token per 15 minutes, not one per command: the token cache in the state dir."""

from __future__ import annotations

import os
import stat

from pickterm.api.auth import TokenCache, TokenKeeper
from pickterm.cli import main
from pickterm.sandbox import DEMO_API_KEY, Sandbox, serve_in_thread
from pickterm.sandbox.data import ORDER_ON_ROUTE
from pickterm.store.state import state_path


def get_order(capsys, server, *extra: str) -> int:
    code = main(["get", "order", ORDER_ON_ROUTE, "--api-url", server.url, "--auth-url", server.url, *extra])
    capsys.readouterr()
    return code


def cache_files() -> list:
    folder = state_path().parent / "tokens"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_commands_one_after_another_share_one_token(capsys, server):
    for _ in range(5):
        assert get_order(capsys, server) == 0
    assert server.sandbox.token_requests == 1
    [path] = cache_files()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert DEMO_API_KEY not in path.read_text()  # the token only, never the key


def test_an_expired_token_is_dropped_and_renewed_once(capsys, server):
    assert get_order(capsys, server) == 0
    server.sandbox.expire_tokens()
    assert get_order(capsys, server) == 0  # EXPIRED_TOKEN: renewed once, request retried
    assert get_order(capsys, server) == 0  # the new token was cached
    assert server.sandbox.token_requests == 2


def test_the_token_belongs_to_its_auth_url_and_key(capsys, server, monkeypatch):
    assert get_order(capsys, server) == 0
    with serve_in_thread(Sandbox()) as other:  # another auth host: its own token
        assert get_order(capsys, other) == 0
        assert other.sandbox.token_requests == 1
    monkeypatch.setenv("PICKTERM_API_KEY", "another-key")
    server.sandbox.api_keys.add("another-key")
    assert get_order(capsys, server) == 0  # another key: never the old key's token
    assert server.sandbox.token_requests == 2
    assert len(cache_files()) == 2


async def test_a_cached_token_is_used_until_shortly_before_it_expires(tmp_path):
    now = [1_000_000.0]
    fetched = []

    async def fetch() -> str:
        fetched.append(now[0])
        return f"token-{len(fetched)}"  # not a JWT: the default 15 minute lifetime

    def keeper() -> TokenKeeper:
        cache = TokenCache(tmp_path / "t.json", profile="p", auth_url="https://auth", api_key="k", wall=lambda: now[0])
        return TokenKeeper(fetch, cache=cache, clock=lambda: now[0])

    assert await keeper().get() == "token-1"
    now[0] += 780  # 13 minutes later, another process
    assert await keeper().get() == "token-1"
    now[0] += 60  # 14 minutes: within a minute of expiry, renewed
    assert await keeper().get() == "token-2"
    assert len(fetched) == 2

"""The API's default addresses and the check of a base URL: light (no httpx), so reading the
settings before the first frame does not import the API layer. ``pickterm.api.client``
uses the same check."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

__all__ = ["API_URL", "AUTH_URL", "check_base_url"]

API_URL = "https://api.pick-and-pack.com/prod/v1"
AUTH_URL = "https://auth.pickingnpacking.com/prod"

MAX_URL_LENGTH = 65536  # what the HTTP client accepts
_IPV4_STYLE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _parse_problem(url: str) -> str | None:
    """Why the HTTP client would refuse ``url`` (its own checks), or None."""
    if not url.isascii():  # an international host name: the client's IDNA rules decide
        import httpx

        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            return str(exc)
        return None
    if len(url) > MAX_URL_LENGTH:
        return "URL too long"
    for index, char in enumerate(url):
        if not char.isprintable():
            return f"Invalid non-printable ASCII character in URL, {char!r} at position {index}"
    host = urlsplit(url).netloc.rpartition("@")[2]
    if not host.startswith("["):
        host = host.partition(":")[0]
        if _IPV4_STYLE.match(host):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                return f"Invalid IPv4 address: {host!r}"
    return None


def check_base_url(url: str, what: str = "URL") -> str:
    """Return ``url`` without a trailing slash, or raise ValueError: https, or http on loopback only."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port out of range: http://host:99999)
        problem = _parse_problem(url)
    except ValueError as exc:
        problem = str(exc)
    if problem is not None:
        reason = problem.rstrip(".") or "malformed"
        raise ValueError(f"{what} {url!r} is not a valid URL ({reason})") from None
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return url.rstrip("/")
    if parts.scheme == "http":
        raise ValueError(f"{what} {url!r} must use https:// (plain http:// is only allowed on this machine's loopback)")
    raise ValueError(f"{what} {url!r} is not an https:// URL")

"""Shipping labels fetched from their ``url`` (server text: docs/ARCHITECTURE.md, "The packing station's rules").

- https only (http only on loopback), checked again at every redirect, so a redirect to
  ``file:`` or to plain http elsewhere is refused;
- a size limit (:data:`MAX_LABEL_BYTES`), enforced while reading;
- a client of its own with no Authorization header and no cookies: the API token never
  reaches a label host;
- the body must look like its ``type``: PDF starts with ``%PDF``, BASE64 decodes (to a PDF, a
  ZPL or a text label), ZPL holds ``^XA``; an HTML page is never a label.

Failures are :class:`LabelError` with a ``code`` (see :data:`LABEL_ERRORS`); nothing here
speaks to a person.
"""

from __future__ import annotations

import base64
import binascii
import ssl
import threading
from dataclasses import dataclass

import httpx

from pickterm.api.models import Label
from pickterm.endpoints import check_base_url

__all__ = [
    "LABEL_ERRORS",
    "LABEL_TYPES",
    "MAX_LABEL_BYTES",
    "LabelData",
    "LabelError",
    "check_label_url",
    "fetch_label",
]

LABEL_TYPES = ("PDF", "BASE64", "TEXT", "ZPL")
MAX_LABEL_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 10.0

# What a LabelError's ``code`` can be (the screens and the command line word them).
LABEL_ERRORS = (
    "no_url",
    "bad_type",
    "bad_url",
    "bad_redirect",
    "too_many_redirects",
    "too_large",
    "not_found",
    "http_error",
    "timeout",
    "unreachable",
    "wrong_content",
)


_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def _tls() -> ssl.SSLContext:
    """One TLS context for every label fetch: building it costs tens of ms, a label host's
    round trip should not wait for that each time."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = httpx.create_ssl_context(trust_env=False)
        return _ssl_context


class LabelError(Exception):
    """A label that cannot be had. ``code`` is a key of :data:`LABEL_ERRORS`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class LabelData:
    """A fetched label: ``type`` as the server named it, ``print_type`` what the bytes are
    (ZPL, TEXT or PDF: a BASE64 label is decoded), and the bytes to print."""

    type: str
    print_type: str
    data: bytes
    url: str


def check_label_url(url: str | None) -> str:
    """The URL when a label may be fetched from it, else LabelError (no_url, bad_url)."""
    if not url or not url.strip():
        raise LabelError("no_url")
    try:
        check_base_url(url.strip(), "label URL")
    except ValueError as exc:
        raise LabelError("bad_url", str(exc)) from None
    return url.strip()


def _kind_of(data: bytes) -> str:
    head = data.lstrip()[:1024]
    if head.startswith(b"%PDF"):
        return "PDF"
    if b"^XA" in head.upper() or b"^XA" in data.upper():
        return "ZPL"
    return "TEXT"


def _checked(label_type: str, data: bytes, content_type: str) -> tuple[str, bytes]:
    if "html" in content_type.lower():
        raise LabelError("wrong_content", content_type)
    if label_type == "BASE64":
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            raise LabelError("wrong_content", "not base64") from None
        return _kind_of(data), data
    kind = _kind_of(data)
    if label_type == "PDF" and kind != "PDF":
        raise LabelError("wrong_content", "not a PDF")
    if label_type == "ZPL" and kind != "ZPL":
        raise LabelError("wrong_content", "no ^XA in a ZPL label")
    if label_type == "TEXT":
        if b"\x00" in data:
            raise LabelError("wrong_content", "binary data in a text label")
        return "TEXT", data
    return label_type, data


async def fetch_label(
    label: Label,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    max_bytes: int = MAX_LABEL_BYTES,
    timeout: float = TIMEOUT,
) -> LabelData:
    """Fetch and check one label. Raises :class:`LabelError` only."""
    label_type = (label.type or "").strip().upper()
    if label_type not in LABEL_TYPES:
        raise LabelError("bad_type", label.type or "")
    url = check_label_url(label.url)
    async with httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False, verify=_tls()
    ) as http:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                async with http.stream("GET", url, headers={"Accept": "*/*"}) as response:
                    if response.is_redirect:
                        target = str(response.url.join(response.headers.get("location", "")))
                        try:
                            check_base_url(target, "label URL")
                        except ValueError:
                            raise LabelError("bad_redirect", target) from None
                        url = target
                        continue
                    if response.status_code == 404:
                        raise LabelError("not_found", url)
                    if response.status_code >= 400:
                        raise LabelError("http_error", str(response.status_code))
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise LabelError("too_large", declared)
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise LabelError("too_large", str(len(body)))
                    print_type, data = _checked(label_type, bytes(body), response.headers.get("content-type", ""))
                    return LabelData(type=label_type, print_type=print_type, data=data, url=url)
            except httpx.TimeoutException:
                raise LabelError("timeout", url) from None
            except httpx.HTTPError as exc:
                raise LabelError("unreachable", str(exc) or type(exc).__name__) from None
    raise LabelError("too_many_redirects", url)

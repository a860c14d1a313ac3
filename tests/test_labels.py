"""Labels fetched from their URL as server text, against a loopback label host with the
failure cases: 404, a huge body, a wrong type, a slow answer, a redirect to file:."""

from __future__ import annotations

import base64

import pytest

from pickterm.api.models import Label
from pickterm.labels import LabelError, fetch_label

from fakeprinter import LabelHost

ZPL = b"^XA^FO50,50^BCN,100,Y,N,N^FD1Z999AA10123456784^FS^XZ\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def host():
    with LabelHost(
        {
            "/l.zpl": (200, "application/zpl", ZPL),
            "/l.pdf": (200, "application/pdf", PDF),
            "/l.b64": (200, "text/plain", base64.b64encode(PDF)),
            "/l.txt": (200, "text/plain", b"SHIP TO\n"),
            "/error": (500, "text/plain", b"oops"),
        },
        slow_seconds=2.0,
    ) as server:
        yield server


def label(kind: str, url: str | None) -> Label:
    return Label(type=kind, url=url)


@pytest.mark.parametrize(
    ("kind", "path", "print_type", "data"),
    [
        ("ZPL", "/l.zpl", "ZPL", ZPL),
        ("PDF", "/l.pdf", "PDF", PDF),
        ("BASE64", "/l.b64", "PDF", PDF),
        ("TEXT", "/l.txt", "TEXT", b"SHIP TO\n"),
    ],
)
async def test_each_type_is_fetched_and_checked(host, kind, path, print_type, data):
    got = await fetch_label(label(kind, host.url(path)))
    assert (got.type, got.print_type, got.data) == (kind, print_type, data)


async def test_the_api_token_never_reaches_the_label_host(host):
    await fetch_label(label("ZPL", host.url("/l.zpl")))
    headers = {k.lower() for k in host.requests[0]["headers"]}
    assert "authorization" not in headers
    assert "cookie" not in headers


@pytest.mark.parametrize(
    ("kind", "url", "code"),
    [
        ("ZPL", None, "no_url"),
        ("ZPL", "", "no_url"),
        ("PNG", "https://labels.example/x.png", "bad_type"),
        (None, "https://labels.example/x", "bad_type"),
        ("ZPL", "http://labels.example/x.zpl", "bad_url"),
        ("ZPL", "file:///etc/passwd", "bad_url"),
        ("ZPL", "ftp://labels.example/x.zpl", "bad_url"),
    ],
)
async def test_bad_labels_are_refused_before_any_request(kind, url, code):
    with pytest.raises(LabelError) as caught:
        await fetch_label(label(kind, url))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("kind", "path", "code"),
    [
        ("ZPL", "/missing", "not_found"),
        ("ZPL", "/error", "http_error"),
        ("ZPL", "/huge", "too_large"),
        ("ZPL", "/html", "wrong_content"),
        ("PDF", "/l.zpl", "wrong_content"),
        ("ZPL", "/l.pdf", "wrong_content"),
        ("BASE64", "/l.zpl", "wrong_content"),
        ("ZPL", "/redirect-file", "bad_redirect"),
    ],
)
async def test_label_host_failures_are_codes(host, kind, path, code):
    with pytest.raises(LabelError) as caught:
        await fetch_label(label(kind, host.url(path)))
    assert caught.value.code == code


async def test_a_slow_label_host_times_out(host):
    with pytest.raises(LabelError) as caught:
        await fetch_label(label("ZPL", host.url("/slow")), timeout=0.3)
    assert caught.value.code == "timeout"


async def test_a_redirect_within_the_rules_is_followed(host):
    got = await fetch_label(label("ZPL", host.url("/redirect-to/l.zpl")))
    assert got.data == ZPL

"""The client's rules, against transports that answer (or fail) exactly as a test needs."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from urllib.parse import unquote

import httpx
import pytest

from pickterm.api import PickPackClient, errors
from pickterm.api.models import TrackingUpdate

API = "https://api.test.invalid/prod/v1"
AUTH = "https://auth.test.invalid/prod"
KEY = "secret-api-key-7f3a9c"


def jwt(ttl: float = 900, iat: float | None = None) -> str:
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    iat = int(iat if iat is not None else time.time())
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'iat': iat, 'exp': iat + ttl})}.c2lnbmF0dXJl"


ORDER = {"orderId": "1509750516095-01", "status": "PENDING", "invoices": [], "unhandledItems": []}


def order_asked(request: httpx.Request, order: dict = ORDER) -> dict:
    """``order`` as the order the request asked for (the client refuses an answer about another)."""
    segment = request.url.raw_path.decode().split("?")[0].rsplit("/orders/", 1)[-1].split("/")[0]
    return {**order, "orderId": unquote(segment)}


class FakeServer:
    """A scripted pair of hosts: token issue plus an API handler the test supplies."""

    def __init__(self, api=None, *, ttl: float = 900) -> None:
        self.ttl = ttl
        self.token_requests = 0
        self.tokens: list[str] = []
        self.requests: list[httpx.Request] = []
        self.api = api or (lambda request: httpx.Response(200, json=order_asked(request)))

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/token"):
            self.token_requests += 1
            await asyncio.sleep(0.01)  # let concurrent callers pile up
            body = json.loads(request.content)
            if body.get("apiKey") != KEY:
                return httpx.Response(403, json={"message": "Invalid API key", "code": "INVALID_API_KEY"})
            token = jwt(self.ttl, iat=time.time() + len(self.tokens))
            self.tokens.append(token)
            return httpx.Response(200, json={"message": "success", "data": token})
        return self.api(request)

    def client(self, **kwargs) -> PickPackClient:
        kwargs.setdefault("sleep", _no_sleep)
        return PickPackClient(API, AUTH, kwargs.pop("api_key", KEY), transport=httpx.MockTransport(self), **kwargs)


async def _no_sleep(seconds: float) -> None:
    _no_sleep.calls.append(seconds)


_no_sleep.calls = []


@pytest.fixture(autouse=True)
def _reset_sleeps():
    _no_sleep.calls.clear()


def api_requests(server: FakeServer) -> list[httpx.Request]:
    return [r for r in server.requests if not r.url.path.endswith("/token")]


# ---------------------------------------------------------------- headers and urls


async def test_every_request_carries_contract_headers_and_bearer_token():
    server = FakeServer()
    async with server.client() as client:
        order = await client.get_order("1509750516095-01")
    assert order.order_id == "1509750516095-01"
    for request in server.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["accept"] == "application/json"
        assert request.headers["user-agent"].startswith("pickterm/")
    (req,) = api_requests(server)
    assert req.headers["authorization"] == f"Bearer {server.tokens[0]}"
    assert req.url.path == "/prod/v1/orders/1509750516095-01"


async def test_raw_auth_scheme_sends_the_token_without_bearer():
    server = FakeServer()
    async with server.client(auth_scheme="raw") as client:
        await client.get_order("1")
    assert api_requests(server)[0].headers["authorization"] == server.tokens[0]


@pytest.mark.parametrize("evil", ["a/b", "a?b=c", "a#frag", "a b", "..", "%2F"])
async def test_path_parameters_never_change_the_path(evil):
    server = FakeServer()
    async with server.client() as client:
        await client.get_order(evil)
    (req,) = api_requests(server)
    raw_path = req.url.raw_path.decode()
    assert raw_path.startswith("/prod/v1/orders/")
    segment = raw_path[len("/prod/v1/orders/") :]
    assert "/" not in segment and "?" not in segment and "#" not in segment and " " not in segment
    assert req.url.query == b""


async def test_shipment_filter_method_header():
    server = FakeServer(lambda r: httpx.Response(200, json={"id": "d39e8dd7", "status": "ON_ROUTE"}))
    async with server.client() as client:
        await client.get_shipment("d39e8dd7", by="internal")
        await client.get_shipment("550693447769717380942093217914", by="external")
    first, second = api_requests(server)
    assert first.headers["x-pnp-filtermethod"] == "BY_INTERNAL_ID"
    assert second.headers["x-pnp-filtermethod"] == "BY_EXTERNAL_ID"
    assert second.url.path.endswith("/shipments/550693447769717380942093217914")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://api.pick-and-pack.com/prod/v1", True),
        ("http://127.0.0.1:8765", True),
        ("http://localhost:8765", True),
        ("http://[::1]:8765", True),
        ("http://api.pick-and-pack.com/prod/v1", False),
        ("http://10.0.0.5:8765", False),
        ("ftp://api.pick-and-pack.com", False),
        ("api.pick-and-pack.com", False),
    ],
)
def test_http_is_refused_except_on_loopback(url, ok):
    if ok:
        PickPackClient(url, url, KEY)
    else:
        with pytest.raises(ValueError, match="https://"):
            PickPackClient(url, AUTH, KEY)


# ---------------------------------------------------------------- tokens


async def test_fifty_concurrent_calls_share_one_token_request():
    server = FakeServer()
    async with server.client(max_concurrency=100) as client:
        await asyncio.gather(*(client.get_order(str(i)) for i in range(50)))
    assert server.token_requests == 1
    assert len(api_requests(server)) == 50


async def test_token_is_reused_until_shortly_before_expiry():
    now = [1000.0]
    server = FakeServer(ttl=900)
    async with server.client(clock=lambda: now[0], cache_seconds=0) as client:
        await client.get_order("1")
        now[0] += 800  # well within 15 minutes
        await client.get_order("1")
        assert server.token_requests == 1
        now[0] += 90  # 890 s: inside the renewal margin
        await client.get_order("1")
        assert server.token_requests == 2


async def test_expired_token_is_renewed_once_and_the_request_retried():
    seen = []

    def api(request):
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(
                403,
                json={
                    "message": "User is not authorized",
                    "code": "EXPIRED_TOKEN",
                    "reason": "Expired token",
                    "requestId": "r1",
                },
            )
        return httpx.Response(200, json=ORDER)

    server = FakeServer(api)
    async with server.client() as client:
        order = await client.get_order("1509750516095-01")
    assert order.status == "PENDING"
    assert server.token_requests == 2
    assert seen[0] != seen[1]


async def test_expired_token_twice_is_an_error_not_a_loop():
    def api(request):
        return httpx.Response(403, json={"message": "denied", "code": "EXPIRED_TOKEN", "requestId": "r2"})

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.AccessDeniedError) as info:
            await client.get_order("1")
    assert server.token_requests == 2
    assert len(api_requests(server)) == 2
    assert info.value.code == "EXPIRED_TOKEN"


async def test_business_403_is_access_denied_without_token_refresh():
    def api(request):
        return httpx.Response(
            403,
            json={
                "type": "business",
                "code": "SHR0007B",
                "message": "You do not have access to this order [1]",
                "requestId": "3d29",
            },
        )

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.AccessDeniedError) as info:
            await client.get_order("1")
    assert server.token_requests == 1
    err = info.value
    assert (err.status, err.code, err.request_id) == (403, "SHR0007B", "3d29")
    assert "You do not have access to this order [1]" in str(err) and "3d29" in str(err)


async def test_rejected_api_key_is_an_authentication_error_without_retry_loop():
    server = FakeServer()
    async with server.client(api_key="wrong-key") as client:
        with pytest.raises(errors.AuthenticationError) as info:
            await client.get_order("1")
    assert server.token_requests == 1
    assert api_requests(server) == []
    assert "Invalid API key" in str(info.value)


async def test_missing_api_key_is_an_authentication_error():
    server = FakeServer()
    async with server.client(api_key="") as client:
        with pytest.raises(errors.AuthenticationError):
            await client.get_order("1")
    assert server.requests == []


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "status, body, cls",
    [
        (
            404,
            {"type": "exception", "code": "WORK0001B", "message": "Worksheet not found [1]", "requestId": "c6ad"},
            errors.NotFoundError,
        ),
        (
            400,
            {
                "type": "business",
                "code": "GEN0001B",
                "message": "Query string parameter {orderId} is required",
                "requestId": "e170",
            },
            errors.BadRequestError,
        ),
        (422, {"message": "Invalid request"}, errors.BadRequestError),
        (500, {"message": "boom", "requestId": "x"}, errors.ServerError),
        (429, {"message": "slow down"}, errors.RateLimitedError),
    ],
)
async def test_error_statuses_map_to_one_family(status, body, cls):
    server = FakeServer(lambda r: httpx.Response(status, json=body))
    async with server.client() as client:
        with pytest.raises(cls) as info:
            await client.get_worksheet("546744628006")
    err = info.value
    assert isinstance(err, errors.PickPackError)
    assert err.status == status
    assert err.code == body.get("code")
    assert err.request_id == body.get("requestId")
    assert body["message"] in str(err)


async def test_network_failure_is_offline_after_three_attempts():
    def api(request):
        raise httpx.ConnectError("connection refused", request=request)

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.OfflineError) as info:
            await client.get_order("1")
    assert info.value.transient
    assert len(api_requests(server)) == 3
    assert len(_no_sleep.calls) == 2 and _no_sleep.calls[1] >= _no_sleep.calls[0] * 0.9


async def test_timeout_is_offline():
    def api(request):
        raise httpx.ReadTimeout("timed out", request=request)

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.OfflineError, match="timed out"):
            await client.list_shipments("1")


@pytest.mark.parametrize(
    "content, status", [(b"<html>gateway</html>", 200), (b'{"orderId": 5}', 200), (b"[1, 2]", 200)]
)
async def test_invalid_response(content, status):
    server = FakeServer(lambda r: httpx.Response(status, content=content))
    async with server.client() as client:
        with pytest.raises(errors.InvalidResponseError):
            await client.get_order("1")


async def test_non_json_error_body_still_gives_a_clear_error():
    server = FakeServer(lambda r: httpx.Response(502, content=b"Bad Gateway"))
    async with server.client() as client:
        with pytest.raises(errors.ServerError, match="HTTP 502"):
            await client.get_order("1")


# ---------------------------------------------------------------- retries


async def test_get_retries_on_503_and_honours_retry_after():
    answers = [
        httpx.Response(503, headers={"Retry-After": "2"}, json={"message": "busy"}),
        httpx.Response(429, json={}),
        httpx.Response(200, json=ORDER),
    ]
    server = FakeServer(lambda r: answers.pop(0))
    async with server.client() as client:
        order = await client.get_order(ORDER["orderId"])
    assert order.order_id == ORDER["orderId"]
    assert _no_sleep.calls[0] == 2.0
    assert len(_no_sleep.calls) == 2


async def test_get_gives_up_after_three_attempts():
    server = FakeServer(lambda r: httpx.Response(504, json={"message": "gateway timeout"}))
    async with server.client() as client:
        with pytest.raises(errors.ServerError):
            await client.get_order("1")
    assert len(api_requests(server)) == 3


async def test_patch_is_never_retried():
    server = FakeServer(lambda r: httpx.Response(503, json={"message": "busy"}))
    async with server.client() as client:
        with pytest.raises(errors.ServerError):
            await client.set_order_delivery("1", TrackingUpdate(delivered_date="2025-02-13T02:00:00Z"))
    assert len(api_requests(server)) == 1


async def test_patch_sends_exactly_the_contract_body():
    def api(request):
        return httpx.Response(200, json={**json.loads(request.content), "orderId": "1507400515991-01"})

    server = FakeServer(api)
    update = TrackingUpdate.model_validate(
        {
            "deliveredDate": "2025-02-12T23:00:00-03:00",
            "events": [{"city": "São Paulo", "state": "SP", "description": "Delivery", "date": "2025-02-10T00:00:00Z"}],
        }
    )
    async with server.client() as client:
        result = await client.set_order_delivery("1507400515991-01", update)
    (req,) = api_requests(server)
    assert req.method == "PATCH"
    assert req.url.path.endswith("/orders/1507400515991-01/tracking")
    assert json.loads(req.content) == {
        "deliveredDate": "2025-02-13T02:00:00.000Z",
        "events": [{"city": "São Paulo", "state": "SP", "description": "Delivery", "date": "2025-02-10T00:00:00.000Z"}],
    }
    assert result.order_id == "1507400515991-01"


# ---------------------------------------------------------------- cache


async def test_get_is_cached_for_thirty_seconds_unless_fresh():
    now = [0.0]
    server = FakeServer()
    async with server.client(clock=lambda: now[0]) as client:
        await client.get_order("1")
        now[0] = 29
        await client.get_order("1")
        assert len(api_requests(server)) == 1
        await client.get_order("1", fresh=True)
        assert len(api_requests(server)) == 2
        now[0] = 60
        await client.get_order("1")
        assert len(api_requests(server)) == 3


async def test_a_tracking_write_forgets_the_cached_order():
    def api(request):
        if request.method == "PATCH":
            return httpx.Response(200, json={"orderId": "1"})
        return httpx.Response(200, json=order_asked(request))

    server = FakeServer(api)
    async with server.client() as client:
        await client.get_order("1")
        await client.set_order_delivery("1", TrackingUpdate())
        await client.get_order("1")
    assert [r.method for r in api_requests(server)] == ["GET", "PATCH", "GET"]


# ---------------------------------------------------------------- the key stays secret


async def test_api_key_never_in_logs_reprs_or_errors(caplog):
    caplog.set_level(logging.DEBUG)

    def api(request):
        raise httpx.ConnectError(f"failed with headers {dict(request.headers)}", request=request)

    server = FakeServer(api)
    client = server.client()
    texts = [repr(client), str(vars(client).get("api_url"))]
    async with client:
        with pytest.raises(errors.OfflineError) as info:
            await client.get_order("1")
        texts += [str(info.value), repr(info.value)]
    wrong = server.client(api_key=KEY + "x")
    async with wrong:
        with pytest.raises(errors.AuthenticationError) as info:
            await wrong.get_order("1")
        texts += [str(info.value), repr(info.value), repr(wrong)]
    texts.append(caplog.text)
    for text in texts:
        assert KEY not in text


# ---------------------------------------------------------------- odd answers


BIG = 12 * 1024 * 1024


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_an_answer_over_the_size_limit_is_an_error_that_says_so(chunked):
    order = dict(ORDER, orderId="1" * BIG)

    def api(request):
        body = json.dumps(order).encode()
        if chunked:  # no Content-Length: the limit holds while reading

            async def chunks():
                for i in range(0, len(body), 65536):
                    yield body[i : i + 65536]

            return httpx.Response(200, content=chunks())
        return httpx.Response(200, content=body)

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.ResponseTooLargeError, match="larger than 8 MB") as info:
            await client.get_order("1")
    assert info.value.advice == errors.RAISE_SIZE_LIMIT  # the app and CLI word it (config max_response_mb)
    assert len(api_requests(server)) == 1  # not retried


async def test_the_size_limit_is_configurable():
    server = FakeServer(lambda r: httpx.Response(200, json=dict(ORDER, orderId="1", padding="1" * BIG)))
    async with server.client(max_response_bytes=16 * 1024 * 1024) as client:
        assert len((await client.get_order("1")).model_extra["padding"]) == BIG
    async with server.client(max_response_bytes=1024) as client:
        with pytest.raises(errors.ResponseTooLargeError, match="larger than 0.0009"):
            await client.get_order("1")


def test_the_size_limit_comes_from_the_profile(tmp_path):
    from pickterm.connect import client_from_settings
    from pickterm.store.config import ConfigError, load_settings, save_setting

    path = tmp_path / "config.toml"
    assert load_settings(path=path, env={}).max_response_mb == 8
    assert client_from_settings(load_settings(path=path, env={})).max_response_bytes == 8 * 1024 * 1024
    save_setting("max_response_mb", "20", path=path, env={})
    assert client_from_settings(load_settings(path=path, env={})).max_response_bytes == 20 * 1024 * 1024
    for bad in ("0", "big", "5000"):
        with pytest.raises(ConfigError, match="max_response_mb"):
            save_setting("max_response_mb", bad, path=path, env={})


@pytest.mark.parametrize(
    "content",
    [b'{"orderId": "1", "status": "PEND', b"", b'{"orderId": "1"}\x00garbage'],
    ids=["truncated", "empty", "trailing garbage"],
)
async def test_a_truncated_or_empty_json_body_is_an_invalid_response(content):
    server = FakeServer(lambda r: httpx.Response(200, content=content))
    async with server.client() as client:
        with pytest.raises(errors.InvalidResponseError, match="not JSON"):
            await client.get_order("1")


async def test_a_connection_dropped_mid_answer_is_offline_and_retried():
    def api(request):
        async def body():
            yield b'{"orderId": "1", '
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

        return httpx.Response(200, content=body())

    server = FakeServer(api)
    async with server.client() as client:
        with pytest.raises(errors.OfflineError, match="connection dropped"):  # no answer: may have arrived
            await client.get_order("1")
    assert len(api_requests(server)) == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_server_errors(status):
    server = FakeServer(lambda r: httpx.Response(status, content=b"<html>oops</html>"))
    async with server.client() as client:
        with pytest.raises(errors.ServerError, match=f"HTTP {status}"):
            await client.get_order("1")


async def test_an_order_with_every_field_null_still_opens():
    from pickterm.sandbox import Sandbox, data

    def nulls(value, top=True):
        if isinstance(value, dict):
            return {k: (value[k] if top and k == "orderId" else nulls(v, False)) for k, v in value.items()}
        return None

    order = nulls(Sandbox().order(data.ORDER_REPLACED))
    server = FakeServer(lambda r: httpx.Response(200, json=order))
    async with server.client() as client:
        parsed = await client.get_order(data.ORDER_REPLACED)
    assert parsed.order_id == data.ORDER_REPLACED and parsed.all_items() == [] and parsed.problems == []
    assert parsed.status is None and parsed.money(None) == "-"


# ---------------------------------------------------------------- the answer matches the question


class AnswersAnother(httpx.AsyncBaseTransport):
    """A server that answers for ``other`` whenever ``asked`` is asked for (path or query)."""

    def __init__(self, sandbox, asked: str, other: str) -> None:
        self.inner, self.asked, self.other = sandbox.transport(), asked, other

    async def handle_async_request(self, request):
        url = str(request.url)
        if not request.url.path.endswith("/token"):
            url = url.replace(self.asked, self.other)
        swapped = httpx.Request(request.method, url, headers=request.headers, content=await request.aread())
        return await self.inner.handle_async_request(swapped)


def _another_id_cases():
    from pickterm.sandbox import data

    return [
        ("get_order", (data.ORDER_WEIGHABLE,), {}, data.ORDER_REPLACED, "order"),
        ("get_worksheet", (data.WS_MAIN,), {}, data.WS_FROZEN, "worksheet"),
        ("get_facility", (data.FACILITY_CDMX,), {}, data.FACILITY_MDE, "facility"),
        ("get_shipment", (data.SHIP_PENDING,), {"by": "internal"}, data.SHIP_ON_ROUTE, "shipment"),
        ("get_shipment", (data.TRACK_PENDING,), {"by": "external"}, data.TRACK_ON_ROUTE, "shipment"),
        ("list_shipments", (data.ORDER_DELIVERED,), {}, data.ORDER_REPLACED, "order"),
        ("list_worksheets", (data.ORDER_REPLACED,), {}, data.ORDER_TWO_WORKSHEETS, "order"),
    ]


@pytest.mark.parametrize(("method", "args", "kwargs", "other", "what"), _another_id_cases())
async def test_an_answer_for_another_id_than_the_one_asked_is_refused(method, args, kwargs, other, what):
    from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox

    sandbox = Sandbox()
    transport = AnswersAnother(sandbox, args[0], other)
    async with PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport) as client:
        with pytest.raises(errors.InvalidResponseError, match=f"the server answered for another {what} \\(") as caught:
            await getattr(client, method)(*args, **kwargs)
        assert caught.value.advice == errors.UNEXPECTED_ANSWER
        transport.other = args[0]  # the server is right again: the same question is answered
        assert await getattr(client, method)(*args, **kwargs, fresh=True)


async def test_the_refusal_names_the_order_the_server_answered_for():
    from pickterm.sandbox import DEMO_API_KEY, DEMO_API_URL, DEMO_AUTH_URL, Sandbox, data

    transport = AnswersAnother(Sandbox(), data.ORDER_WEIGHABLE, data.ORDER_REPLACED)
    async with PickPackClient(DEMO_API_URL, DEMO_AUTH_URL, DEMO_API_KEY, transport=transport) as client:
        with pytest.raises(errors.InvalidResponseError) as caught:
            await client.get_order(data.ORDER_WEIGHABLE)
    assert str(caught.value) == f"Invalid response: the server answered for another order ({data.ORDER_REPLACED})"

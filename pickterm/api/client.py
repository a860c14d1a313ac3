"""Async client of the Pick and Pack API.

One ``httpx.AsyncClient`` under the hood; every method returns pydantic models and
raises only ``PickPackError`` subclasses. GETs are retried on network errors, 429 and
502/503/504 (at most 3 attempts, exponential backoff with jitter, ``Retry-After``
honoured) and served from a 30 s memory cache unless ``fresh=True``. The tracking
PATCH is never retried here: the outbox of the local store owns that. An answer about
another id than the one asked for (an order, worksheet, facility or shipment; a list
naming another order) is refused with ``InvalidResponseError``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal, TypedDict, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from pickterm import __version__
from pickterm.api import errors
from pickterm.api.auth import TokenCache, TokenKeeper
from pickterm.api.models import (
    ErrorBody,
    Facility,
    Order,
    Shipment,
    ShipmentSummary,
    TokenResponse,
    TrackingResult,
    TrackingUpdate,
    Worksheet,
    WorksheetSummary,
)
from pickterm.endpoints import API_URL, AUTH_URL, check_base_url
from pickterm.text import register_secret

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONValue

log = logging.getLogger("pickterm.api")

CACHE_SECONDS = 30.0  # the server caches each id this long: asking sooner only costs quota
MAX_ATTEMPTS = 3
MAX_CONCURRENCY = 100  # the API's own limit
RETRY_STATUSES = {429, 502, 503, 504}
MAX_RETRY_AFTER = 30.0
MAX_RESPONSE_BYTES = 8 * 1024 * 1024  # an order is a few KB; a bigger answer is an error, not a screenful

T = TypeVar("T", bound=pydantic.BaseModel)


def path_segment(value: str) -> str:
    """Percent-encode one path parameter so that no id can change the path."""
    value = str(value)
    if not value.strip():
        raise errors.BadRequestError("An id is required")
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _retry_after(response: httpx.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ClientOptions(TypedDict, total=False):
    """The keyword options of :class:`PickPackClient` besides its hosts, key, auth scheme and profile."""

    timeout: float
    connect_timeout: float
    max_concurrency: int
    transport: httpx.AsyncBaseTransport | None
    sleep: Callable[[float], Awaitable[object]]
    clock: Callable[[], float]
    cache_seconds: float
    token_cache: TokenCache | None
    max_response_bytes: int


class PickPackClient:
    """Async context manager over one HTTP connection pool to both API hosts."""

    def __init__(
        self,
        api_url: str = API_URL,
        auth_url: str = AUTH_URL,
        api_key: str = "",
        *,
        auth_scheme: Literal["bearer", "raw"] = "bearer",
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_concurrency: int = 10,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        cache_seconds: float = CACHE_SECONDS,
        profile: str = "default",
        token_cache: TokenCache | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.api_url = check_base_url(api_url, "API URL")
        self.auth_url = check_base_url(auth_url, "auth URL")
        self.profile = profile  # the config profile: with both URLs, where an outbox entry belongs
        if auth_scheme not in ("bearer", "raw"):
            raise ValueError(f"auth scheme must be 'bearer' or 'raw', not {auth_scheme!r}")
        self._api_key = api_key
        register_secret(api_key)  # redacted from every message from now on
        self.auth_scheme = auth_scheme
        self._sleep = sleep
        self._clock = clock
        self._cache_seconds = cache_seconds
        self.max_response_bytes = max(1, int(max_response_bytes))
        self._cache: dict[tuple[str, str], tuple[float, JSONValue]] = {}
        self._limit = asyncio.Semaphore(max(1, min(int(max_concurrency), MAX_CONCURRENCY)))
        self._tokens = TokenKeeper(self._fetch_token, clock=clock, cache=token_cache)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, connect_timeout)),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"pickterm/{__version__}",
            },
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never the key
        return f"PickPackClient(api_url={self.api_url!r}, auth_url={self.auth_url!r}, auth_scheme={self.auth_scheme!r})"

    async def __aenter__(self) -> PickPackClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def token_requests(self) -> int:
        """How many tokens this client has asked the auth host for."""
        return self._tokens.fetches

    # ------------------------------------------------------------ public API

    async def get_token(self) -> str:
        """The current token, fetched if needed (also a cheap 'test connection')."""
        return await self._tokens.get()

    async def get_order(self, order_id: str, *, fresh: bool = False) -> Order:
        data = await self._get(f"/orders/{path_segment(order_id)}", fresh=fresh)
        order = self._parse(Order, data)
        _same_id("order", order_id, order.order_id)
        return order

    async def set_order_delivery(self, order_id: str, update: TrackingUpdate) -> TrackingResult:
        segment = path_segment(order_id)
        data = await self._request("PATCH", f"/orders/{segment}/tracking", body=update.to_payload())
        # The order (and its shipments) changed: forget what we had.
        self._forget(order_id)
        return self._parse(TrackingResult, data)

    async def get_worksheet(self, worksheet_id: str, *, fresh: bool = False) -> Worksheet:
        data = await self._get(f"/worksheets/{path_segment(worksheet_id)}", fresh=fresh)
        worksheet = self._parse(Worksheet, data)
        _same_id("worksheet", worksheet_id, worksheet.worksheet_id)
        return worksheet

    async def list_worksheets(self, order_id: str, *, fresh: bool = False) -> list[WorksheetSummary]:
        data = await self._get("/worksheets", params={"orderId": self._required(order_id)}, fresh=fresh)
        worksheets = self._parse_list(WorksheetSummary, data)
        for worksheet in worksheets:  # a worksheet may serve several orders; it must name this one
            orders = [o.order_id for o in worksheet.orders_ids]
            if orders and str(order_id) not in orders:
                _same_id("order", order_id, orders[0])
        return worksheets

    async def get_facility(self, facility_id: str, *, fresh: bool = False) -> Facility:
        data = await self._get(f"/facilities/{path_segment(facility_id)}", fresh=fresh)
        facility = self._parse(Facility, data)
        _same_id("facility", facility_id, facility.id)
        return facility

    async def get_shipment(
        self, shipment_id: str, *, by: Literal["internal", "external"] = "internal", fresh: bool = False
    ) -> Shipment:
        if by not in ("internal", "external"):
            raise ValueError("by must be 'internal' or 'external'")
        method = "BY_INTERNAL_ID" if by == "internal" else "BY_EXTERNAL_ID"
        data = await self._get(
            f"/shipments/{path_segment(str(shipment_id))}",
            headers={"X-PNP-FilterMethod": method},
            fresh=fresh,
        )
        shipment = self._parse(Shipment, data)
        _same_id("shipment", shipment_id, shipment.id if by == "internal" else shipment.service_id)
        return shipment

    async def list_shipments(self, order_id: str, *, fresh: bool = False) -> list[ShipmentSummary]:
        data = await self._get("/shipments", params={"orderId": self._required(order_id)}, fresh=fresh)
        shipments = self._parse_list(ShipmentSummary, data)
        for shipment in shipments:
            _same_id("order", order_id, shipment.order_id)
        return shipments

    # ------------------------------------------------------------ parsing

    @staticmethod
    def _required(value: str) -> str:
        if not str(value).strip():
            raise errors.BadRequestError("An order id is required")
        return str(value)

    @staticmethod
    def _parse(model: type[T], data: JSONValue) -> T:
        try:
            return model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise errors.InvalidResponseError(_shape_problem(model.__name__, exc)) from None

    @classmethod
    def _parse_list(cls, model: type[T], data: JSONValue) -> list[T]:
        if not isinstance(data, list):
            raise errors.InvalidResponseError(f"expected a list of {model.__name__}, got {type(data).__name__}")
        return [cls._parse(model, entry) for entry in data]

    # ------------------------------------------------------------ cache

    def _forget(self, order_id: str) -> None:
        segment = f"/{path_segment(order_id)}"
        query = json.dumps(str(order_id))
        for key in list(self._cache):
            if key[0].startswith("/orders" + segment) or query in key[1]:
                del self._cache[key]

    async def _get(
        self,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        fresh: bool = False,
    ) -> JSONValue:
        key = (path, json.dumps([params, headers], sort_keys=True))
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and not fresh and now - hit[0] < self._cache_seconds:
            return hit[1]
        data = await self._request("GET", path, params=params, headers=headers)
        self._cache[key] = (self._clock(), data)
        return data

    # ------------------------------------------------------------ transport

    async def _fetch_token(self) -> str:
        if not self._api_key:
            raise errors.AuthenticationError("No API key is configured")
        response = await self._send_with_retries(
            "POST", f"{self.auth_url}/token", json_body={"apiKey": self._api_key}, headers={}
        )
        if response.status_code in (400, 401, 403):
            body = _error_body(response)
            raise errors.AuthenticationError(
                body.message or "The auth host refused the API key",
                status=response.status_code,
                code=body.code,
                request_id=body.request_id,
            )
        if response.status_code >= 300:
            raise _error_from(response)
        token = self._parse(TokenResponse, _json(response)).data
        register_secret(token)
        if not token:
            raise errors.InvalidResponseError("the auth host answered without a token")
        return token

    @staticmethod
    async def _token(fetching: Awaitable[str]) -> str:
        """A token for the next request; its failure says the request never left."""
        try:
            return await fetching
        except errors.PickPackError as exc:
            exc.request_left = False
            raise

    def _auth_header(self, token: str) -> str:
        return f"Bearer {token}" if self.auth_scheme == "bearer" else token

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: JSONValue = None,
    ) -> JSONValue:
        url = f"{self.api_url}{path}"
        token = await self._token(self._tokens.get())
        retry = method == "GET"
        for renewed in (False, True):
            all_headers = {**(headers or {}), "Authorization": self._auth_header(token)}
            response = await self._send_with_retries(
                method, url, params=params, headers=all_headers, json_body=body, retry=retry
            )
            if response.status_code == 403 and not renewed and _error_body(response).code == "EXPIRED_TOKEN":
                log.info("token expired; renewing once")
                token = await self._token(self._tokens.renew(token))  # the refused request was not applied
                continue
            break
        if response.status_code >= 300:
            raise _error_from(response)
        return _json(response)

    async def _send_with_retries(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str],
        json_body: JSONValue = None,
        retry: bool = True,
    ) -> httpx.Response:
        attempts = MAX_ATTEMPTS if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                async with self._limit:
                    request = self._http.build_request(
                        method,
                        url,
                        params=params,
                        headers=headers,
                        content=None if json_body is None else json.dumps(json_body).encode(),
                    )
                    response = await self._read_limited(request)
            except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:  # the request never left
                failure: errors.PickPackError = errors.OfflineError(f"{method} timed out ({type(exc).__name__})")
            except (httpx.ReadTimeout, httpx.WriteTimeout) as exc:  # it left; the answer did not come
                failure = errors.NoAnswerError(f"{method} timed out ({type(exc).__name__})")
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
                failure = errors.NoAnswerError(f"{method}: the connection dropped ({type(exc).__name__})")
            except (httpx.TransportError, OSError) as exc:
                failure = errors.OfflineError(f"{method} could not reach the server ({type(exc).__name__})")
            else:
                log.debug("%s %s -> %s", method, response.url.copy_with(query=None), response.status_code)
                if response.status_code not in RETRY_STATUSES or attempt == attempts:
                    return response
                await self._sleep(self._backoff(attempt, _retry_after(response)))
                continue
            log.debug("%s %s failed: %s", method, url, failure.message)
            if attempt == attempts:
                raise failure
            await self._sleep(self._backoff(attempt, None))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read_limited(self, request: httpx.Request) -> httpx.Response:
        """Send and read the answer, refusing one past ``max_response_bytes`` (decoded) early."""
        limit = self.max_response_bytes
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
                raise self._too_large(response)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise self._too_large(response)
        finally:
            await response.aclose()
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
        ]
        return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)

    def _too_large(self, response: httpx.Response) -> errors.PickPackError:
        mb = self.max_response_bytes / (1024 * 1024)
        return errors.ResponseTooLargeError(
            f"the answer is larger than {mb:g} MB (the max_response_mb setting)",
            status=response.status_code,
            request_id=response.headers.get("x-amzn-requestid") or response.headers.get("x-request-id"),
        )

    @staticmethod
    def _backoff(attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        base = 0.25 * (2 ** (attempt - 1))
        return float(base + random.uniform(0, base))


def _same_id(what: str, asked: str, answered: object) -> None:
    """Refuse an answer about another ``what`` than the one asked for (an id the answer
    leaves out is not checked: the reader is tolerant of what the server omits)."""
    if answered is None or str(answered) == str(asked):
        return
    raise errors.InvalidResponseError(f"the server answered for another {what} ({str(answered)[:80]})")


def _json(response: httpx.Response) -> JSONValue:
    try:
        data: JSONValue = response.json()  # what JSON decodes to
        return data
    except (ValueError, UnicodeDecodeError):
        raise errors.InvalidResponseError(
            f"the server's answer is not JSON (HTTP {response.status_code})",
            status=response.status_code,
            request_id=response.headers.get("x-amzn-requestid") or response.headers.get("x-request-id"),
        ) from None


def _error_body(response: httpx.Response) -> ErrorBody:
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    try:
        return ErrorBody.model_validate(data)
    except pydantic.ValidationError:
        return ErrorBody()


def _error_from(response: httpx.Response) -> errors.PickPackError:
    body = _error_body(response)
    cls = errors.error_for_status(response.status_code)
    request_id = body.request_id or response.headers.get("x-amzn-requestid") or response.headers.get("x-request-id")
    extra = body.model_extra or {}
    detail = extra.get("detail") if isinstance(extra.get("detail"), str) else None
    message = body.message or body.reason or detail or f"HTTP {response.status_code}"
    return cls(message, status=response.status_code, code=body.code, request_id=request_id)


def _shape_problem(name: str, exc: pydantic.ValidationError) -> str:
    details = exc.errors()
    where = ".".join(str(p) for p in details[0]["loc"]) if details else ""
    message = details[0]["msg"] if details else "invalid"
    return f"the server's {name} is not the shape the contract promises ({where or name}: {message})"

"""A stateful fake of the Pick and Pack auth and API hosts.

``Sandbox.handle`` takes a raw HTTP request (method, target, headers, body) and
returns a raw JSON answer, like the real server; the in-process transport and the
loopback server both call it. Routing looks only at the tail of the path, so any
base-URL prefix works (``/prod/token``, ``/prod/v1/orders/{id}``, ``/orders/{id}``).

Delivered orders: the contract's order statuses have no DELIVERED, so an accepted
``PATCH /orders/{id}/tracking`` sets the order's ``status`` to ``COMPLETED`` and adds
``deliveredDate`` and ``trackingEvents`` (the events received so far), as the real server
finalizes the order on every tracking write: events alone, for an order with no delivered
date, set it to now (the order's date is kept when it has one); the order's
shipments become ``DELIVERED`` with that ``deliveredDate`` and get each event as a
``COMMENT`` note. The demo's already delivered order reads the same way.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, unquote

from pickterm.sandbox import data

if TYPE_CHECKING:
    from pickterm.sandbox.transport import SandboxTransport

DEMO_API_KEY = "demo-key"
DEMO_AUTH_URL = "https://auth.sandbox.pickterm.invalid/prod"
DEMO_API_URL = "https://api.sandbox.pickterm.invalid/prod/v1"

FILTER_HEADER = "x-pnp-filtermethod"
FILTER_METHODS = ("BY_INTERNAL_ID", "BY_EXTERNAL_ID")
MAX_LOGGED_REQUESTS = 20_000


class Headers(dict[str, str]):
    """A plain dict of request headers whose lookups ignore the case of the name."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        super().__init__((str(k).lower(), str(v)) for k, v in pairs)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


class RequestRecord(NamedTuple):
    """One request as the sandbox received it (``path`` is raw: percent-encoded, with the query)."""

    method: str
    path: str
    headers: Headers


@dataclass
class SandboxResponse:
    """A raw answer: status, JSON body bytes and headers."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})

    def json(self) -> Any:
        return json.loads(self.body)


class _Reply(Exception):
    """Raised inside a handler to answer early with an error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class Sandbox:
    """The demo backend: demo data plus the behaviour of both hosts.

    Attributes tests read or change: ``api_keys`` (accepted keys), ``token_requests``
    (count of ``POST /token``), ``requests`` (log of :class:`RequestRecord`, oldest
    trimmed past 20,000), ``tracking_writes`` (every accepted tracking write as
    ``(order_id, payload)``), ``forbidden`` (ids answered with a business 403),
    ``fail_rate``, ``latency_ms``, ``token_ttl``, ``in_flight`` / ``peak_in_flight``.
    """

    def __init__(
        self,
        *,
        token_ttl: float = 900,
        clock: Callable[[], float] = time.time,
        fail_rate: float = 0.0,
        latency_ms: float = 0,
        seed: int = 0,
    ) -> None:
        self.token_ttl = token_ttl
        self.clock = clock
        self.fail_rate = fail_rate
        self.latency_ms = latency_ms
        self.seed = seed
        self.api_keys: set[str] = {DEMO_API_KEY}
        self.token_requests = 0
        self.requests: list[RequestRecord] = []
        self.tracking_writes: list[tuple[str, dict[str, Any]]] = []
        self.forbidden: set[str] = set()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.big_worksheet_id: str | None = None
        self._rng = random.Random(seed)
        self._secret = hashlib.sha256(f"pickterm-sandbox:{seed}".encode()).digest()
        self._expired_jtis: set[str] = set()
        self._issued_jtis: set[str] = set()
        self._big_count = 0
        self._lock = threading.RLock()
        state = data.demo_state()
        self._orders = state.orders
        self._worksheets = state.worksheets
        self._facilities = state.facilities
        self._shipments = state.shipments
        self.labels = data.label_files(self._shipments)  # the label host: no API token asked (nor wanted)

    # ------------------------------------------------------------------ helpers for tests and demo

    @classmethod
    def with_big_worksheet(cls, items: int = 1000, orders: int = 10, **kwargs: Any) -> Sandbox:
        """A sandbox that also holds a generated worksheet (id in ``big_worksheet_id``)."""
        sandbox = cls(**kwargs)
        sandbox.add_big_worksheet(items=items, orders=orders)
        return sandbox

    def add_big_worksheet(self, items: int = 1000, orders: int = 10) -> str:
        """Add a generated worksheet of ``items`` items over ``orders`` new orders; return its id."""
        with self._lock:
            worksheet, new_orders = data.big_data(self._big_count, items=items, orders=orders)
            self._big_count += 1
            self._worksheets[worksheet["worksheetId"]] = worksheet
            self._orders.update(new_orders)
            self.big_worksheet_id = worksheet["worksheetId"]
            return str(worksheet["worksheetId"])

    def order(self, order_id: str) -> dict[str, Any]:
        """A copy of an order's current state (KeyError when unknown)."""
        with self._lock:
            return copy.deepcopy(self._orders[order_id])

    def worksheet(self, worksheet_id: str) -> dict[str, Any]:
        """A copy of a worksheet's current state, by its 12-digit id."""
        with self._lock:
            return copy.deepcopy(self._worksheets[worksheet_id])

    def shipment(self, shipment_id: str) -> dict[str, Any]:
        """A copy of a shipment's current state, by its UUID."""
        with self._lock:
            return copy.deepcopy(self._shipments[shipment_id])

    def facility(self, facility_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._facilities[facility_id])

    @property
    def order_ids(self) -> list[str]:
        return list(self._orders)

    @property
    def worksheet_ids(self) -> list[str]:
        return list(self._worksheets)

    @property
    def shipment_ids(self) -> list[str]:
        return list(self._shipments)

    @property
    def facility_ids(self) -> list[str]:
        return list(self._facilities)

    def expire_tokens(self) -> None:
        """Make every token issued so far answer EXPIRED_TOKEN from now on."""
        with self._lock:
            self._expired_jtis |= self._issued_jtis
            self._issued_jtis = set()

    def transport(self) -> SandboxTransport:
        """An ``httpx`` transport that serves this sandbox in-process."""
        from pickterm.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    def samples(self) -> dict[str, list[tuple[str, str]]]:
        """A few ids of each kind, each with a short label, for a home screen or a banner."""
        with self._lock:
            return self._samples()

    def _samples(self) -> dict[str, list[tuple[str, str]]]:
        result = data.samples()
        if self.big_worksheet_id:
            big = self._worksheets[self.big_worksheet_id]
            result["worksheets"].append(
                (self.big_worksheet_id, data.worksheet_label(len(big["items"]), len(big["ordersIds"])))
            )
        return result

    # ------------------------------------------------------------------ entry points

    async def handle_async(
        self, method: str, target: str, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes = b""
    ) -> SandboxResponse:
        """Like :meth:`handle`, after waiting ``latency_ms``."""
        self._enter()
        try:
            if self.latency_ms > 0:
                await asyncio.sleep(self.latency_ms / 1000)
            return self.handle(method, target, headers, body)
        finally:
            self._leave()

    def handle_blocking(
        self, method: str, target: str, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes = b""
    ) -> SandboxResponse:
        """Like :meth:`handle`, after sleeping ``latency_ms`` (for synchronous callers)."""
        self._enter()
        try:
            if self.latency_ms > 0:
                time.sleep(self.latency_ms / 1000)
            return self.handle(method, target, headers, body)
        finally:
            self._leave()

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def handle(
        self, method: str, target: str, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes = b""
    ) -> SandboxResponse:
        """Answer one request now. ``target`` is the raw path with its query (any prefix)."""
        hdrs = headers if isinstance(headers, Headers) else Headers(headers)
        method = method.upper()
        label = self.labels.get(target.partition("?")[0]) if method == "GET" else None
        if label is not None:
            with self._lock:
                self._log(RequestRecord(method, target, hdrs))
            return SandboxResponse(200, label[1], {"content-type": label[0]})
        with self._lock:
            self._log(RequestRecord(method, target, hdrs))
            try:
                status, payload = self._dispatch(method, target, hdrs, body)
            except _Reply as reply:
                status, payload = reply.status, reply.body
            body_out = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # live state: dump under the lock
        return SandboxResponse(status, body_out)

    def _log(self, record: RequestRecord) -> None:
        self.requests.append(record)
        if len(self.requests) > MAX_LOGGED_REQUESTS:
            del self.requests[: MAX_LOGGED_REQUESTS // 2]

    # ------------------------------------------------------------------ routing

    def _dispatch(self, method: str, target: str, headers: Headers, body: bytes) -> tuple[int, Any]:
        raw_path, _, query = target.partition("?")
        segments = [unquote(s) for s in raw_path.split("/")]
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        route = self._route(segments)
        if route is None:
            raise _Reply(404, self._error("exception", "GEN0404E", f"No such endpoint: {method} {raw_path}"))
        name, allowed, arg = route
        if method != allowed:
            raise _Reply(405, {"message": f"Method {method} not allowed on this resource"})
        if name == "token":
            self.token_requests += 1
        if self.fail_rate > 0 and self._rng.random() < self.fail_rate:
            raise _Reply(503, {"message": "Service Unavailable"})
        if name == "token":
            return self._token(body)
        self._authorize(headers)
        handler: Callable[..., tuple[int, Any]] = getattr(self, f"_{name}")
        return handler(arg, params=params, headers=headers, body=body)

    @staticmethod
    def _route(segments: list[str]) -> tuple[str, str, str | None] | None:
        """(handler name, method, path id) for the tail of the path, or None."""
        if len(segments) >= 3 and segments[-3] == "orders" and segments[-1] == "tracking":
            return "set_tracking", "PATCH", segments[-2]
        if len(segments) >= 2:
            item_routes = {
                "orders": "get_order",
                "worksheets": "get_worksheet",
                "facilities": "get_facility",
                "shipments": "get_shipment",
            }
            if segments[-2] in item_routes:
                return item_routes[segments[-2]], "GET", segments[-1]
        list_routes = {"worksheets": "list_worksheets", "shipments": "list_shipments"}
        if segments[-1] in list_routes:
            return list_routes[segments[-1]], "GET", None
        if segments[-1] == "token":
            return "token", "POST", None
        return None

    # ------------------------------------------------------------------ errors

    def _now_iso(self) -> str:
        return data.iso(datetime.fromtimestamp(self.clock(), UTC))

    def _error(self, kind: str, code: str, message: str) -> dict[str, Any]:
        return {"type": kind, "code": code, "message": message, "date": self._now_iso(), "requestId": str(uuid.uuid4())}

    def _not_found(self, code: str, what: str, ident: str) -> _Reply:
        return _Reply(404, self._error("exception", code, f"{what} not found [{ident}]"))

    def _check_access(self, code: str, what: str, ident: str) -> None:
        if ident in self.forbidden:
            raise _Reply(403, self._error("business", code, f"You do not have access to this {what} [{ident}]"))

    # ------------------------------------------------------------------ auth

    def _token(self, body: bytes) -> tuple[int, Any]:
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("apiKey"), str) or not payload["apiKey"]:
            raise _Reply(400, self._error("business", "GEN0002B", "Body parameter {apiKey} is required"))
        if payload["apiKey"] not in self.api_keys:
            raise _Reply(
                401,
                dict(
                    self._error("business", "INVALID_API_KEY", "Invalid API key"),
                    reason="The API key is unknown or was revoked",
                ),
            )
        return 200, {"message": "success", "data": self._issue_token()}

    def _issue_token(self) -> str:
        iat = int(self.clock())
        jti = uuid.uuid4().hex
        self._issued_jtis.add(jti)
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "hostname": data.HOSTNAME,
            "username": "demo.picker",
            "jti": jti,
            "iat": iat,
            "exp": _number(iat + self.token_ttl),
        }
        signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
        signature = hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"

    def _claims(self, token: str) -> dict[str, Any] | None:
        """The token's claims when it is one of ours with a valid signature, else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        expected = hmac.new(self._secret, f"{parts[0]}.{parts[1]}".encode("ascii", "replace"), hashlib.sha256)
        try:
            if not hmac.compare_digest(_b64url(expected.digest()), parts[2]):
                return None
            claims = json.loads(_b64url_decode(parts[1]))
        except (ValueError, TypeError):
            return None
        return claims if isinstance(claims, dict) and isinstance(claims.get("exp"), (int, float)) else None

    def _authorize(self, headers: Headers) -> None:
        value = headers.get("authorization", "").strip()
        token = value[7:].strip() if value[:7].lower() == "bearer " else value
        claims = self._claims(token) if token else None
        if claims is None:
            raise _Reply(
                403,
                self._error(
                    "business", "SHR0001B", "You do not have access to this resource [missing or invalid token]"
                ),
            )
        if self.clock() > claims["exp"] or claims.get("jti") in self._expired_jtis:
            raise _Reply(
                403,
                {
                    "message": "User is not authorized to access this resource with an explicit deny",
                    "code": "EXPIRED_TOKEN",
                    "reason": "Expired token",
                    "requestId": str(uuid.uuid4()),
                },
            )

    # ------------------------------------------------------------------ handlers

    def _get_order(self, order_id: str, **_: Any) -> tuple[int, Any]:
        self._check_access("SHR0007B", "order", order_id)
        order = self._orders.get(order_id)
        if order is None:
            raise self._not_found("ORD0002B", "Order", order_id)
        return 200, order

    def _get_worksheet(self, worksheet_id: str, **_: Any) -> tuple[int, Any]:
        self._check_access("SHR0007B", "worksheet", worksheet_id)
        worksheet = self._worksheets.get(worksheet_id)
        if worksheet is None:
            raise self._not_found("WORK0001B", "Worksheet", worksheet_id)
        return 200, worksheet

    def _list_worksheets(self, _: None, *, params: dict[str, str], **__: Any) -> tuple[int, Any]:
        order_id = params.get("orderId", "")
        if not order_id:
            raise _Reply(400, self._error("business", "GEN0001B", "Query string parameter {orderId} is required"))
        self._check_access("SHR0007B", "order", order_id)
        return 200, [
            data.worksheet_summary(ws)
            for ws in self._worksheets.values()
            if any(o["orderId"] == order_id for o in ws["ordersIds"])
        ]

    def _get_facility(self, facility_id: str, **_: Any) -> tuple[int, Any]:
        self._check_access("FAC0002B", "facility", facility_id)
        facility = self._facilities.get(facility_id)
        if facility is None:
            raise self._not_found("FAC0001B", "Facility", facility_id)
        return 200, facility

    def _get_shipment(self, shipment_id: str, *, headers: Headers, **_: Any) -> tuple[int, Any]:
        method = headers.get(FILTER_HEADER, "").strip()
        if not method:
            raise _Reply(400, self._error("business", "GEN0003B", "Header {X-PNP-FilterMethod} is required"))
        if method not in FILTER_METHODS:
            raise _Reply(
                400,
                self._error(
                    "business",
                    "GEN0004B",
                    f"Header {{X-PNP-FilterMethod}} must be BY_INTERNAL_ID or BY_EXTERNAL_ID [{method}]",
                ),
            )
        self._check_access("SHP0002B", "shipment", shipment_id)
        key = "id" if method == "BY_INTERNAL_ID" else "serviceId"
        for shipment in self._shipments.values():
            if shipment[key] == shipment_id:
                return 200, shipment
        raise self._not_found("TRP0005E", "Shipment", shipment_id)

    def _list_shipments(self, _: None, *, params: dict[str, str], **__: Any) -> tuple[int, Any]:
        order_id = params.get("orderId", "")
        if not order_id:
            raise _Reply(400, self._error("business", "ORD0001B", "Query string parameter {orderId} is required"))
        self._check_access("SHP0003B", "order", order_id)
        return 200, [data.shipment_summary(s) for s in self._shipments.values() if s["orderId"] == order_id]

    def _set_tracking(self, order_id: str, *, body: bytes, **_: Any) -> tuple[int, Any]:
        self._check_access("SHR0007B", "order", order_id)
        order = self._orders.get(order_id)
        if order is None:
            raise self._not_found("ORD0002B", "Order", order_id)
        payload = self._tracking_payload(body)
        if not order["invoices"]:
            raise _Reply(
                404,
                self._error("exception", "ORA0001B", "The order must be invoiced to update the status to delivered"),
            )
        events = [dict(e) for e in payload.get("events") or []]
        delivered = payload.get("deliveredDate") or order.get("deliveredDate") or self._now_iso()
        order["status"] = "COMPLETED"
        order["deliveredDate"] = delivered
        order.setdefault("trackingEvents", []).extend(copy.deepcopy(events))
        order["updatedAt"] = self._now_iso()
        for shipment in self._shipments.values():
            if shipment["orderId"] != order_id:
                continue
            shipment["status"] = "DELIVERED"
            shipment["deliveredDate"] = delivered
            shipment["notes"].extend(
                {
                    "date": e["date"],
                    "type": "COMMENT",
                    "author": "tracking",
                    "content": f"{e['description']} ({e['city']}, {e['state']})",
                }
                for e in events
            )
        for worksheet in self._worksheets.values():
            for item in worksheet["items"]:
                for source in item["orderSource"]:
                    if source["orderId"] == order_id:
                        source["status"] = "DELIVERED"
        self.tracking_writes.append((order_id, copy.deepcopy(payload)))
        return 200, {"deliveredDate": delivered, "events": events, "orderId": order_id}

    def _tracking_payload(self, body: bytes) -> dict[str, Any]:
        """The parsed tracking body, or a 400 naming the first problem."""

        def bad(message: str) -> _Reply:
            return _Reply(400, self._error("business", "GEN0002B", f"Invalid request body: {message}"))

        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            raise bad("not valid JSON") from None
        if not isinstance(payload, dict):
            raise bad("expected an object")
        delivered = payload.get("deliveredDate")
        if delivered is not None and (not isinstance(delivered, str) or not _is_datetime(delivered)):
            raise bad("deliveredDate must be a date-time")
        events = payload.get("events")
        if events is not None:
            if not isinstance(events, list):
                raise bad("events must be an array")
            for index, event in enumerate(events):
                if not isinstance(event, dict):
                    raise bad(f"events[{index}] must be an object")
                for key in ("city", "state", "description", "date"):
                    if not isinstance(event.get(key), str):
                        raise bad(f"events[{index}].{key} is required")
        return payload


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True

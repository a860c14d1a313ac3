"""Pydantic models for every body of the Pick and Pack API contract.

Attributes are snake_case with the API's camelCase aliases; unknown fields are kept;
anything the API may omit or null is optional. Statuses are open strings: the known
values are listed for helpers, an unknown one is shown as it is, never an error.
Dates of server objects stay the strings the server sent (``parse_api_datetime``
reads them); dates we send are validated ``datetime`` values kept in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_serializer, field_validator
from pydantic.alias_generators import to_camel

from pickterm.status import ORDER_STATUSES, SHIPMENT_STATUSES, status_label, status_tone  # noqa: F401  (re-exported)


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_api_datetime(value: str | None) -> datetime | None:
    """Parse a date the server sent (ISO 8601, any fraction length); None when absent or unreadable."""
    if not value:
        return None
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    try:
        parsed.astimezone(timezone.utc)  # 0001-01-01T00:00+14:00 has no UTC time: unreadable
    except (OverflowError, ValueError):
        return None
    return parsed


def format_api_datetime(value: str | None, *, local: bool = True) -> str:
    """A short readable date-time (``2025-02-10 15:02``), the raw text if unreadable, '-' if absent."""
    parsed = parse_api_datetime(value)
    if parsed is None:
        return value or "-"
    if local:
        try:
            parsed = parsed.astimezone()
        except (OverflowError, ValueError, OSError):
            return value or "-"
    return parsed.strftime("%Y-%m-%d %H:%M")


def iso_utc(value: datetime) -> str:
    """``2025-02-13T02:00:00.000Z``: the form the contract's examples use."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=False,
    )


# ---------------------------------------------------------------- money


class Currency(ApiModel):
    symbol: str = "$"
    code: str = ""
    decimal_separator: str = "."
    name: str = ""
    decimal_digits: int = 2
    group_size: int = 3
    group_separator: str = ","


DEFAULT_CURRENCY = Currency()


def format_money(minor: float | int | None, currency: Currency | None = None) -> str:
    """Money in minor units as a person reads it: 1699 -> ``$16.99`` (currency's digits and separators)."""
    if minor is None:
        return "-"
    cur = currency or DEFAULT_CURRENCY
    digits = max(0, cur.decimal_digits)
    amount = Decimal(str(minor)) / (Decimal(10) ** digits)
    sign = "-" if amount < 0 else ""
    quantized = f"{abs(amount):.{digits}f}"
    whole, _, frac = quantized.partition(".")
    size = cur.group_size or 3
    groups = []
    while len(whole) > size:
        groups.insert(0, whole[-size:])
        whole = whole[:-size]
    groups.insert(0, whole)
    text = cur.group_separator.join(groups)
    if frac:
        text += cur.decimal_separator + frac
    return f"{sign}{cur.symbol}{text}"


# ---------------------------------------------------------------- token and errors


class TokenResponse(ApiModel):
    message: str = ""
    data: str


class ErrorBody(ApiModel):
    """Either error shape: ``{type, code, message, date, requestId}`` or ``{message, code, reason, requestId}``."""

    type: str | None = None
    code: str | None = None
    message: str | None = None
    reason: str | None = None
    date: str | None = None
    request_id: str | None = None


# ---------------------------------------------------------------- orders


class Reason(ApiModel):
    reason_type: str | None = None
    reason_detail: str | None = None

    def __str__(self) -> str:
        return self.reason_detail or self.reason_type or "no reason given"


class Warehouse(ApiModel):
    warehouse_id: str | None = None
    warehouse_name: str | None = None
    quantity: int | None = None


class OrderItem(ApiModel):
    id: str
    sku: str | None = None
    reference_code: str | None = None
    item_name: str = Field(default="", validation_alias=AliasChoices("itemName", "item_name", "name"))
    price: float | None = None
    picking_price: float | None = None
    quantity: float | None = None
    original_quantity: float | None = None
    replaced_by: list[str] | None = None
    weighable_product: bool = False
    unit_multiplier: float | None = None
    original_unit_multiplier: float | None = None
    unit_of_measure: str | None = None
    images: list[str] = []
    image: str | None = None
    ean: str | None = None
    status: str | None = None
    packed_quantity: float | None = None
    reasons: list[Reason] | None = None
    pickers: list[str] | None = None
    worksheets: list[str] | None = None
    warehouses: list[Warehouse] = []
    temperature: str | None = None
    created_at: str | None = None

    @property
    def name(self) -> str:
        return self.item_name or self.id

    @property
    def line_price(self) -> float | None:
        """Price of one unit as charged: a weighable item's price times its unit multiplier."""
        if self.price is None:
            return None
        if self.weighable_product and self.unit_multiplier is not None:
            return self.price * self.unit_multiplier
        return self.price

    def quantity_text(self) -> str:
        """``2 of 3``, or for a weighable item ``1 of 1 · 0.19 KILOGRAMS``."""
        def num(value: float | None) -> str:
            if value is None:
                return "?"
            return f"{value:g}"

        text = f"{num(self.quantity)} of {num(self.original_quantity)}"
        if self.weighable_product:
            text += f" · {num(self.unit_multiplier)} {(self.unit_of_measure or '').lower()}".rstrip()
        return text


class Invoice(ApiModel):
    invoice_key: str
    invoice_total: float | None = None


class Package(ApiModel):
    id: str
    status: str | None = None
    items_ids: list[str] = []


class Payment(ApiModel):
    payment_id: str | None = None
    payment_name: str | None = None
    transaction_id: str | None = None
    currency: Currency = DEFAULT_CURRENCY


ItemState = Literal["to pick", "picked", "rejected", "replaced"]


class Order(ApiModel):
    order_id: str
    sequence: str | None = None
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    shipping_estimated_date_min: str | None = None
    tags: list[str] = []
    picking_time: float | None = None
    packing_time: float | None = None
    shipping_time: float | None = None
    invoices: list[Invoice] = []
    unhandled_items: list[OrderItem] = []
    picked_items: list[OrderItem] = []
    rejected_items: list[OrderItem] = []
    replaced_items: list[OrderItem] = []
    packages: list[Package] = []
    payment: list[Payment] = []
    delivered_date: str | None = None

    @property
    def is_invoiced(self) -> bool:
        return bool(self.invoices)

    @property
    def currency(self) -> Currency:
        for pay in self.payment:
            return pay.currency
        return DEFAULT_CURRENCY

    def money(self, minor: float | int | None) -> str:
        return format_money(minor, self.currency)

    @property
    def invoice_total(self) -> float:
        return sum(inv.invoice_total or 0 for inv in self.invoices)

    def all_items(self) -> list[tuple[ItemState, OrderItem]]:
        """Every item of the order with its state: to pick, picked, rejected, replaced."""
        groups: list[tuple[ItemState, list[OrderItem]]] = [
            ("to pick", self.unhandled_items),
            ("picked", self.picked_items),
            ("rejected", self.rejected_items),
            ("replaced", self.replaced_items),
        ]
        return [(state, item) for state, items in groups for item in items]

    def item(self, item_id: str) -> OrderItem | None:
        for _, item in self.all_items():
            if item.id == item_id:
                return item
        return None


# ---------------------------------------------------------------- tracking


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}") from None
    if not isinstance(value, datetime):
        raise ValueError("expected a date-time")
    if value.tzinfo is None:
        raise ValueError("a date-time needs a time zone (or Z for UTC)")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("the date-time is out of range") from None


class TrackingEvent(ApiModel):
    city: str
    state: str
    description: str
    date: datetime

    @field_validator("date", mode="before")
    @classmethod
    def _date_utc(cls, value: Any) -> datetime:
        return _utc(value)

    @field_serializer("date")
    def _date_out(self, value: datetime) -> str:
        return iso_utc(value)


class TrackingUpdate(ApiModel):
    """Body of ``PATCH /orders/{orderId}/tracking``."""

    delivered_date: datetime | None = None
    events: list[TrackingEvent] = []

    @field_validator("delivered_date", mode="before")
    @classmethod
    def _delivered_utc(cls, value: Any) -> datetime | None:
        return None if value in (None, "") else _utc(value)

    @field_serializer("delivered_date")
    def _delivered_out(self, value: datetime | None) -> str | None:
        return None if value is None else iso_utc(value)

    def to_payload(self) -> dict[str, Any]:
        """Exactly what is sent: camelCase keys, UTC dates, absent keys omitted."""
        payload: dict[str, Any] = {}
        if self.delivered_date is not None:
            payload["deliveredDate"] = iso_utc(self.delivered_date)
        if self.events:
            payload["events"] = [event.model_dump(by_alias=True, include={"city", "state", "description", "date"}) for event in self.events]
        return payload


class TrackingResult(ApiModel):
    order_id: str | None = None
    delivered_date: str | None = None
    events: list[dict[str, Any]] = []


# ---------------------------------------------------------------- worksheets


class Category(ApiModel):
    id: str | None = None
    name: str | None = None


class Note(ApiModel):
    date: str | None = None
    type: str | None = None
    content: str | None = None
    author: str | None = None


class PickerAssignment(ApiModel):
    active: bool | None = None
    assignment_date: str | None = None
    notes: list[Note] = []
    method: str | None = None
    picker_id: str | None = None
    finished_date: str | None = None


class OrderSource(ApiModel):
    order_id: str
    selling_price: float | None = None
    list_price: float | None = None
    currency_code: str | None = None
    status: str | None = None
    quantity: float = 0
    picked_quantity: float | None = None
    packed_quantity: float | None = None
    rejected_quantity: float | None = None
    replaced_quantity: float | None = None
    replaced_by: list[Any] = []
    notes: list[Any] = []


class ItemAssignment(ApiModel):
    start_picking_at: str | None = None
    assigned_at: str | None = None
    finished_at: str | None = None


class WorksheetItem(ApiModel):
    id: str
    name: str = ""
    image: str | None = None
    reference_code: str | None = None
    temperature: str | None = None
    categories: list[Category] = []
    item_assignment: ItemAssignment | None = None
    original_quantity: float = 0
    completed_quantity: float | None = None
    picked_quantity: float | None = None
    packed_quantity: float | None = None
    rejected_quantity: float | None = None
    replaced_quantity: float | None = None
    order_source: list[OrderSource] = []

    @property
    def category(self) -> str:
        return ", ".join(c.name or c.id or "" for c in self.categories) or "-"

    def split_by_order(self) -> list[tuple[str, float]]:
        """How many units go to which order: ``[(orderId, quantity), ...]``."""
        return [(src.order_id, src.quantity) for src in self.order_source]


class WorksheetOrder(ApiModel):
    order_id: str
    total_value: float | None = None
    units_quantity: float | None = None
    items_quantity: float | None = None
    shipping_estimated_date: str | None = None
    is_invoiced: bool | None = None
    priority: float | None = None


class DeliveryWindow(ApiModel):
    min_date: str | None = None
    max_date: str | None = None


class WorksheetSummary(ApiModel):
    id: str | None = None
    worksheet_id: str
    facility_id: str | None = None
    categories_ids: list[str] = []
    finished_date: str | None = None
    init_date: str | None = None
    status: str | None = None
    orders_ids: list[WorksheetOrder] = []
    hostname: str | None = None
    items: list[Any] = []
    picker_assignment: list[PickerAssignment] = []
    items_quantity: float = 0
    units_quantity: float = 0
    completed_units_quantity: float = 0
    packed_units_quantity: float = 0
    delivery_window: DeliveryWindow | None = None
    created_at: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.items_quantity and not self.units_quantity


class Worksheet(ApiModel):
    id: str | None = None
    worksheet_id: str
    init_date: str | None = None
    finished_date: str | None = None
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    priority: float | None = None
    categories_ids: list[str] = []
    finish_estimated_date: str | None = None
    hostname: str | None = None
    picker_assignment: list[PickerAssignment] = []
    total_completed_items: float | None = None
    total_packed_items: float | None = None
    total_items: float | None = None
    orders_ids: list[WorksheetOrder] = []
    facility_id: str | None = None
    items: list[WorksheetItem] = []
    picked_items: list[WorksheetItem] = []
    rejected_items: list[WorksheetItem] = []
    replaced_items: list[WorksheetItem] = []

    @property
    def order_ids(self) -> list[str]:
        return [o.order_id for o in self.orders_ids]


# ---------------------------------------------------------------- facility


class Contact(ApiModel):
    email: str | None = None
    name: str | None = None
    phone: str | None = None


class Location(ApiModel):
    latitude: float | None = None
    longitude: float | None = None


class Facility(ApiModel):
    id: str
    name: str | None = None
    address: str | None = None
    address_complement: str | None = None
    number: str | None = None
    neighborhood: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    reference: str | None = None
    contact_information: Contact | None = None
    location: Location | None = None

    def address_lines(self) -> list[str]:
        street = " ".join(p for p in (self.address, self.number) if p)
        lines = [street, self.address_complement, self.neighborhood,
                 " ".join(p for p in (self.postal_code, self.city) if p),
                 ", ".join(p for p in (self.state, self.country) if p)]
        return [line for line in lines if line]


# ---------------------------------------------------------------- shipments


class Agent(ApiModel):
    id: str | None = None
    name: str | None = None
    vehicle: str | None = None


class ShipmentItem(ApiModel):
    id: str | None = None
    name: str | None = None
    image: str | None = None
    ean: str | None = None
    quantity: float | None = None
    price: float | None = None


class Dimensions(ApiModel):
    width: str | None = None
    length: str | None = None
    height: str | None = None


class ShipmentPackage(ApiModel):
    id: str | None = None
    total_value: float | None = None
    envelope: str | None = None
    order_id: str | None = None
    weight: str | None = None
    description: str | None = None
    categories: list[str] = []
    items: list[ShipmentItem] = []
    dimensions: Dimensions | None = None


class Party(ApiModel):
    name: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    zip_code: str | None = None
    pickup_date: str | None = None
    delivery_date: str | None = None


class Label(ApiModel):
    id: str | None = None
    type: str | None = None
    url: str | None = None
    name: str | None = None


class Timezone(ApiModel):
    offset: float | None = None
    value: str | None = None


class Shipment(ApiModel):
    id: str
    order_id: str | None = None
    carrier_id: str | None = None
    service_id: str | None = None
    carrier_name: str | None = None
    seller: str | None = None
    status: str | None = None
    agent: Agent | None = None
    tracking_url: str | None = None
    total_distance_traveled: float | None = None
    comments: str | None = None
    evidences: list[Note] = []
    packages: list[ShipmentPackage] = []
    type: str | None = None
    notes: list[Note] = []
    payment_method: str | None = None
    carrier_service_type: str | None = None
    timezone: Timezone | None = None
    tags: list[str] = []
    delivered_date: str | None = None
    sender: Party | None = None
    receiver: Party | None = None
    labels: list[Label] = []

    def timeline(self) -> list[tuple[str, str, Note]]:
        """Notes and evidences merged by date: ``[(date, "note"|"evidence", entry), ...]``, oldest first."""
        entries = [(n.date or "", "note", n) for n in self.notes]
        entries += [(e.date or "", "evidence", e) for e in self.evidences]

        def key(entry: tuple[str, str, Note]) -> tuple[int, Any]:
            parsed = parse_api_datetime(entry[0])
            return (0, parsed) if parsed else (1, entry[0])

        return sorted(entries, key=key)


class ShipmentSummary(ApiModel):
    id: str
    service_id: str | None = None
    order_id: str | None = None
    carrier_id: str | None = None
    status: str | None = None
    carrier_name: str | None = None
    payment_method: str | None = None
    tags: list[str] = []
    delivered_date: str | None = None
    customer_id: str | None = None
    customer_address_id: str | None = None
    source: str | None = None
    destination: str | None = None
    courier_id: str | None = None
    courier_name: str | None = None
    seller: str | None = None
    packages_quantity: float | None = None
    items_quantity: float | None = None
    service_type: str | None = None
    creation_date: str | None = None

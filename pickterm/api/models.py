"""Pydantic models for every body of the Pick and Pack API contract.

Attributes are snake_case with the API's camelCase aliases; unknown fields are kept;
anything the API may omit or null is optional. Statuses are open strings: the known
values are listed for helpers, an unknown one is shown as it is, never an error.
Dates of server objects stay the strings the server sent (``parse_api_datetime``
reads them); dates we send are validated ``datetime`` values kept in UTC.

The tolerant reader: a schema-valid answer always opens.

- Display-only fields are read tolerantly: ``Text`` / ``ReqText`` keep a value of another
  type (a number, an object, a list) and show it as text (its JSON); ``pickterm get``
  still prints it as sent (``as_sent``). ``Num`` reads a number (or a numeric string);
  anything else is unknown (shown ``-`` / ``?``). A display-only sub-object of the wrong
  shape is as if absent. Unknown enum values are shown as sent.
- Strict, because the app computes with them: ids (orderId, worksheetId, item ``id``,
  facility, shipment and package ids, ``ordersIds[].orderId``, ``orderSource[].orderId``),
  the EAN and SKU matched against scans, ``weighableProduct``, and the worksheet item
  quantities the walkthrough counts (``originalQuantity``, ``completedQuantity``,
  ``pickedQuantity``, ``rejectedQuantity``, ``replacedQuantity`` of ``items[]``,
  ``orderSource[].quantity``), plus ``itemsQuantity`` / ``unitsQuantity`` of a worksheet
  summary (they decide "empty"). A broken strict field of a record in a list leaves that
  record out and names it in ``problems`` (``pickedItems[1] (id 207): ean: ...``); the
  screens show that line above the rest. A broken id of the whole answer is one
  ``InvalidResponseError`` naming the field.

Holes in the contract (pick-and-pack-api.json), and how each is read:

Required, but with no schema at all (any JSON value is valid):
  - GET /orders/{orderId} ``replacedItems[].name``: ``OrderItem.item_name`` (``ReqText``):
    any value shown as text.
  - GET /worksheets/{worksheetId} ``items[].referenceCode``: ``Text``; a number is matched
    against scans by its digits, anything else as its JSON text (never matches a scan).
  - GET /worksheets/{worksheetId} ``rejectedItems[].replacedQuantity``: picked / rejected /
    replaced lists are ``ShownWorksheetItem`` (only shown, never counted): ``Num``.
  - GET /worksheets/{worksheetId} ``replacedItems[].replacedBy``: kept as sent (extra field).
  - GET /worksheets/{worksheetId} ``replacedItems[].orderSource[].notes``: any JSON (``JsonValue``), as sent.

Nullable, and read as absent (never assumed present):
  - GET /orders/{orderId} items ``pickingPrice``, ``quantity``, ``packedQuantity``: ``Num``,
    ``?`` / ``-`` when null; ``replacedBy``, ``reasons``, ``pickers``, ``worksheets``:
    null is an empty list; ``replacedItems[].temperature``: null is no temperature.
  - GET /worksheets/{worksheetId} ``finishedDate``, ``pickerAssignment[].method`` and
    ``.finishedDate``, ``items[].itemAssignment.finishedAt``: ``Text``, ``-`` when null;
    ``items[].pickedQuantity``: null counts as 0 picked.
  - GET /worksheets ``[].finishedDate``, ``[].items[].method``, ``[].items[].finishedDate``,
    ``[].pickerAssignment[].finishedDate``: ``Text`` / kept as sent.
  - GET /shipments ``[].courierId``, ``[].courierName``: ``Text``, not shown when null.

Typed as a number where the examples hold something else:
  - GET /shipments/{shipmentId} path parameter ``shipmentId`` is ``type: number`` with a
    30-digit example (beyond a float's precision) while BY_INTERNAL_ID takes a UUID: the
    client always handles it as a string, percent-encoded. (The response examples all
    match their types; string-typed ``weight`` and ``dimensions`` hold numeric text and are
    shown as text.)
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal, Self, Union

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from pickterm.i18n import _, date_text, decimal
from pickterm.status import ORDER_STATUSES, SHIPMENT_STATUSES, status_label, status_tone  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONObject

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
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)  # 0001-01-01T00:00+14:00 has no UTC time: unreadable
    except (OverflowError, ValueError):
        return None
    return parsed


def format_api_datetime(value: str | None, *, local: bool = True) -> str:
    """A short readable date-time (``2025-02-10 15:02`` in English), the raw text if unreadable, '-' if absent."""
    parsed = parse_api_datetime(value)
    if parsed is None:
        return value or "-"
    if local:
        try:
            parsed = parsed.astimezone()
        except (OverflowError, ValueError, OSError):
            return value or "-"
    return date_text(parsed)  # the user's conventions: 11/02/2025 09:30 in es and pt-BR


def iso_utc(value: datetime) -> str:
    """``2025-02-13T02:00:00.000Z``: the form the contract's examples use."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------- the tolerant reader


class ShownText(str):
    """A display-only value the server sent with another type (a number, an object...):
    shown as this text, and dumped (``pickterm get``) as the server sent it."""

    raw: object = None


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, bool)):
        text = ShownText(json.dumps(value, ensure_ascii=False, sort_keys=True))
    else:
        text = ShownText(str(value))
    text.raw = value
    return text


def _shown(fallback: Callable[[object], object]) -> WrapValidator:
    """Validate as typed; a value of another type becomes ``fallback(value)`` instead of an error."""

    def validate(value: object, handler: ValidatorFunctionWrapHandler) -> object:
        try:
            return handler(value)
        except ValidationError:
            return fallback(value)

    return WrapValidator(validate)


_AS_SENT = PlainSerializer(lambda value: getattr(value, "raw", value))

# Display-only fields: never the reason an order or worksheet cannot be read.
Text = Annotated[str | None, _shown(lambda v: None if v is None else _as_text(v)), _AS_SENT]
ReqText = Annotated[str, _shown(lambda v: "" if v is None else _as_text(v)), _AS_SENT]
Num = Annotated[float | None, _shown(lambda _: None)]
NumOr0 = Annotated[float, _shown(lambda _: 0.0)]
Flag = Annotated[bool | None, _shown(lambda _: None)]
TextList = Annotated[list[Text], _shown(lambda v: [] if v is None else [_as_text(v)])]
DROP_BAD = _shown(lambda _: None)  # a display-only sub-object of the wrong shape: as if absent


def _record_model(annotation: object) -> type[ApiModel] | None:
    """``X`` for a field typed ``list[X]`` (or ``list[X] | None``) where X is an ApiModel."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else None
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation) or (None,)
        if isinstance(item, type) and issubclass(item, ApiModel):
            return item
    return None


def _record_name(key: str, index: int, entry: object) -> str:
    ident = None
    if isinstance(entry, dict):
        for name in ("id", "orderId", "worksheetId", "invoiceKey", "paymentId"):
            if isinstance(entry.get(name), (str, int)):
                ident = entry[name]
                break
    return f"{key}[{index}]" + (f" (id {ident})" if ident is not None else "")


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "value: invalid"
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "value"
    return f"{where}: {first['msg']}"


class ApiModel(BaseModel):
    """Base of every API body. Lists of records are read one record at a time: a record
    whose strict field (an id, a quantity used in arithmetic, the EAN) is broken is left
    out and named in ``problems`` (``unhandledItems[2] (id 123): ean: ...``), and the
    rest of the answer is read."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=False,
    )
    _problems: list[str] = PrivateAttr(default_factory=list)
    _sent: JsonValue = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal values are equal models, however each was read (what was sent, what was left out)."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as before

    def as_sent(self) -> JsonValue:
        """The JSON the server sent for this object, exactly (what ``pickterm get`` prints)."""
        return self._sent if self._sent is not None else self.model_dump(mode="json", by_alias=True)

    @property
    def problems(self) -> list[str]:
        """Records of this answer (and of its records) that could not be read, one line each."""
        return self._problems

    @model_validator(mode="wrap")
    @classmethod
    def _read_records(cls, data: object, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if not isinstance(data, dict):
            return handler(data)
        sent, data = data, dict(data)
        problems: list[str] = []
        for name, field in cls.model_fields.items():
            key = next((k for k in (field.alias, name) if k and k in data), None)
            if key is None:
                continue
            if data[key] is None:  # null where a value has a default: as if omitted
                if not field.is_required() and field.default is not None:
                    del data[key]
                continue
            model = _record_model(field.annotation)
            if model is None:
                continue
            raw = data[key]
            if not isinstance(raw, list):
                problems.append(f"{key}: not a list ({type(raw).__name__}); left out")
                del data[key]
                continue
            kept = []
            for index, entry in enumerate(raw):
                try:
                    record = model.model_validate(entry)
                except ValidationError as exc:
                    problems.append(f"{_record_name(key, index, entry)}: {_first_error(exc)}; left out")
                    continue
                kept.append(record)
                problems += [f"{_record_name(key, index, entry)}.{p}" for p in record.problems]
            data[key] = kept
        result = handler(data)
        result._problems = problems
        result._sent = sent
        return result


# ---------------------------------------------------------------- money


class Currency(ApiModel):
    symbol: ReqText = "$"
    code: ReqText = ""
    decimal_separator: ReqText = "."
    name: ReqText = ""
    decimal_digits: Annotated[int, _shown(lambda _: 2)] = 2
    group_size: Annotated[int, _shown(lambda _: 3)] = 3
    group_separator: ReqText = ","


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
    whole, _dot, frac = quantized.partition(".")
    size = cur.group_size or 3
    groups: list[str] = []
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
    message: ReqText = ""
    data: str


class ErrorBody(ApiModel):
    """Either error shape: ``{type, code, message, date, requestId}`` or ``{message, code, reason, requestId}``."""

    type: Text = None
    code: Text = None
    message: Text = None
    reason: Text = None
    date: Text = None
    request_id: Text = None


# ---------------------------------------------------------------- orders


class Reason(ApiModel):
    reason_type: Text = None
    reason_detail: Text = None

    def __str__(self) -> str:
        return self.reason_detail or self.reason_type or "no reason given"


class Warehouse(ApiModel):
    warehouse_id: Text = None
    warehouse_name: Text = None
    quantity: Num = None


class OrderItem(ApiModel):
    id: str
    sku: str | None = None
    reference_code: Text = None
    item_name: ReqText = Field(default="", validation_alias=AliasChoices("itemName", "item_name", "name"))
    price: Num = None
    picking_price: Num = None
    quantity: Num = None
    original_quantity: Num = None
    replaced_by: TextList | None = None
    weighable_product: bool = False
    unit_multiplier: Num = None
    original_unit_multiplier: Num = None
    unit_of_measure: Text = None
    images: TextList = []
    image: Text = None
    ean: str | None = None
    status: Text = None
    packed_quantity: Num = None
    reasons: list[Reason] | None = None
    pickers: TextList | None = None
    worksheets: TextList | None = None
    warehouses: list[Warehouse] = []
    temperature: Text = None
    created_at: Text = None

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
            return decimal(f"{value:g}")

        text = _("{picked} of {quantity}").format(picked=num(self.quantity), quantity=num(self.original_quantity))
        if self.weighable_product:
            text += f" · {num(self.unit_multiplier)} {(self.unit_of_measure or '').lower()}".rstrip()
        return text


class Invoice(ApiModel):
    invoice_key: ReqText
    invoice_total: Num = None


class Package(ApiModel):
    id: str
    status: Text = None
    items_ids: TextList = []


class Payment(ApiModel):
    payment_id: Text = None
    payment_name: Text = None
    transaction_id: Text = None
    currency: Annotated[Currency, _shown(lambda _: DEFAULT_CURRENCY)] = DEFAULT_CURRENCY


ItemState = Literal["to pick", "picked", "rejected", "replaced"]


class Order(ApiModel):
    order_id: str
    sequence: Text = None
    status: Text = None
    created_at: Text = None
    updated_at: Text = None
    shipping_estimated_date_min: Text = None
    tags: TextList = []
    picking_time: Num = None
    packing_time: Num = None
    shipping_time: Num = None
    invoices: list[Invoice] = []
    unhandled_items: list[OrderItem] = []
    picked_items: list[OrderItem] = []
    rejected_items: list[OrderItem] = []
    replaced_items: list[OrderItem] = []
    packages: list[Package] = []
    payment: list[Payment] = []
    delivered_date: Text = None

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
        for _state, item in self.all_items():
            if item.id == item_id:
                return item
        return None


# ---------------------------------------------------------------- tracking


def _utc(value: object) -> datetime:
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
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date-time is out of range") from None


class TrackingEvent(ApiModel):
    city: str
    state: str
    description: str
    date: datetime

    @field_validator("date", mode="before")
    @classmethod
    def _date_utc(cls, value: object) -> datetime:
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
    def _delivered_utc(cls, value: object) -> datetime | None:
        return None if value in (None, "") else _utc(value)

    @field_serializer("delivered_date")
    def _delivered_out(self, value: datetime | None) -> str | None:
        return None if value is None else iso_utc(value)

    def to_payload(self) -> JSONObject:
        """Exactly what is sent: camelCase keys, UTC dates, absent keys omitted."""
        payload: JSONObject = {}
        if self.delivered_date is not None:
            payload["deliveredDate"] = iso_utc(self.delivered_date)
        if self.events:
            payload["events"] = [
                event.model_dump(by_alias=True, include={"city", "state", "description", "date"})
                for event in self.events
            ]
        return payload


class TrackingResult(ApiModel):
    order_id: Text = None
    delivered_date: Text = None
    events: JsonValue = []


# ---------------------------------------------------------------- worksheets


class Category(ApiModel):
    id: Text = None
    name: Text = None


class Note(ApiModel):
    date: Text = None
    type: Text = None
    content: Text = None
    author: Text = None


class PickerAssignment(ApiModel):
    active: Flag = None
    assignment_date: Text = None
    notes: list[Note] = []
    method: Text = None
    picker_id: Text = None
    finished_date: Text = None


class OrderSource(ApiModel):
    order_id: str
    selling_price: Num = None
    list_price: Num = None
    currency_code: Text = None
    status: Text = None
    quantity: float = 0
    picked_quantity: Num = None
    packed_quantity: Num = None
    rejected_quantity: Num = None
    replaced_quantity: Num = None
    replaced_by: JsonValue = []
    notes: JsonValue = []


class ItemAssignment(ApiModel):
    start_picking_at: Text = None
    assigned_at: Text = None
    finished_at: Text = None


class WorksheetItem(ApiModel):
    id: str
    name: ReqText = ""
    image: Text = None
    reference_code: Text = None
    temperature: Text = None
    categories: list[Category] = []
    item_assignment: Annotated[ItemAssignment | None, DROP_BAD] = None
    original_quantity: float = 0
    completed_quantity: float | None = None
    picked_quantity: float | None = None
    packed_quantity: Num = None
    rejected_quantity: float | None = None
    replaced_quantity: float | None = None
    order_source: list[OrderSource] = []

    @property
    def category(self) -> str:
        return ", ".join(c.name or c.id or "" for c in self.categories) or "-"

    def split_by_order(self) -> list[tuple[str, float]]:
        """How many units go to which order: ``[(orderId, quantity), ...]``."""
        return [(src.order_id, src.quantity) for src in self.order_source]


class ShownWorksheetItem(WorksheetItem):
    """A worksheet's picked / rejected / replaced item: only shown, never counted, so its
    quantities are read tolerantly (the contract gives ``rejectedItems[].replacedQuantity``
    no type at all)."""

    original_quantity: NumOr0 = 0
    completed_quantity: Num = None
    picked_quantity: Num = None
    rejected_quantity: Num = None
    replaced_quantity: Num = None


class WorksheetOrder(ApiModel):
    order_id: str
    total_value: Num = None
    units_quantity: Num = None
    items_quantity: Num = None
    shipping_estimated_date: Text = None
    is_invoiced: Flag = None
    priority: Num = None


class DeliveryWindow(ApiModel):
    min_date: Text = None
    max_date: Text = None


class WorksheetSummary(ApiModel):
    id: Text = None
    worksheet_id: str
    facility_id: Text = None
    categories_ids: TextList = []
    finished_date: Text = None
    init_date: Text = None
    status: Text = None
    orders_ids: list[WorksheetOrder] = []
    hostname: Text = None
    items: JsonValue = []
    picker_assignment: list[PickerAssignment] = []
    items_quantity: float = 0
    units_quantity: float = 0
    completed_units_quantity: NumOr0 = 0
    packed_units_quantity: NumOr0 = 0
    delivery_window: Annotated[DeliveryWindow | None, DROP_BAD] = None
    created_at: Text = None

    @property
    def is_empty(self) -> bool:
        return not self.items_quantity and not self.units_quantity


class Worksheet(ApiModel):
    id: Text = None
    worksheet_id: str
    init_date: Text = None
    finished_date: Text = None
    status: Text = None
    created_at: Text = None
    updated_at: Text = None
    priority: Num = None
    categories_ids: TextList = []
    finish_estimated_date: Text = None
    hostname: Text = None
    picker_assignment: list[PickerAssignment] = []
    total_completed_items: Num = None
    total_packed_items: Num = None
    total_items: Num = None
    orders_ids: list[WorksheetOrder] = []
    facility_id: Text = None
    items: list[WorksheetItem] = []
    picked_items: list[ShownWorksheetItem] = []
    rejected_items: list[ShownWorksheetItem] = []
    replaced_items: list[ShownWorksheetItem] = []

    @property
    def order_ids(self) -> list[str]:
        return [o.order_id for o in self.orders_ids]


# ---------------------------------------------------------------- facility


class Contact(ApiModel):
    email: Text = None
    name: Text = None
    phone: Text = None


class Location(ApiModel):
    latitude: Num = None
    longitude: Num = None


class Facility(ApiModel):
    id: str
    name: Text = None
    address: Text = None
    address_complement: Text = None
    number: Text = None
    neighborhood: Text = None
    city: Text = None
    state: Text = None
    postal_code: Text = None
    country: Text = None
    reference: Text = None
    contact_information: Annotated[Contact | None, DROP_BAD] = None
    location: Annotated[Location | None, DROP_BAD] = None

    def address_lines(self) -> list[str]:
        street = " ".join(p for p in (self.address, self.number) if p)
        lines = [
            street,
            self.address_complement,
            self.neighborhood,
            " ".join(p for p in (self.postal_code, self.city) if p),
            ", ".join(p for p in (self.state, self.country) if p),
        ]
        return [line for line in lines if line]


# ---------------------------------------------------------------- shipments


class Agent(ApiModel):
    id: Text = None
    name: Text = None
    vehicle: Text = None


class ShipmentItem(ApiModel):
    id: Text = None
    name: Text = None
    image: Text = None
    ean: Text = None
    quantity: Num = None
    price: Num = None


class Dimensions(ApiModel):
    width: Text = None
    length: Text = None
    height: Text = None


class ShipmentPackage(ApiModel):
    id: Text = None
    total_value: Num = None
    envelope: Text = None
    order_id: Text = None
    weight: Text = None
    description: Text = None
    categories: TextList = []
    items: list[ShipmentItem] = []
    dimensions: Annotated[Dimensions | None, DROP_BAD] = None


class Party(ApiModel):
    name: Text = None
    city: Text = None
    state: Text = None
    country: Text = None
    zip_code: Text = None
    pickup_date: Text = None
    delivery_date: Text = None


class Label(ApiModel):
    id: Text = None
    type: Text = None
    url: Text = None
    name: Text = None


class Timezone(ApiModel):
    offset: Num = None
    value: Text = None


class Shipment(ApiModel):
    id: str
    order_id: Text = None
    carrier_id: Text = None
    service_id: Text = None
    carrier_name: Text = None
    seller: Text = None
    status: Text = None
    agent: Annotated[Agent | None, DROP_BAD] = None
    tracking_url: Text = None
    total_distance_traveled: Num = None
    comments: Text = None
    evidences: list[Note] = []
    packages: list[ShipmentPackage] = []
    type: Text = None
    notes: list[Note] = []
    payment_method: Text = None
    carrier_service_type: Text = None
    timezone: Annotated[Timezone | None, DROP_BAD] = None
    tags: TextList = []
    delivered_date: Text = None
    sender: Annotated[Party | None, DROP_BAD] = None
    receiver: Annotated[Party | None, DROP_BAD] = None
    labels: list[Label] = []

    def timeline(self) -> list[tuple[str, str, Note]]:
        """Notes and evidences merged by date: ``[(date, "note"|"evidence", entry), ...]``, oldest first."""
        entries = [(n.date or "", "note", n) for n in self.notes]
        entries += [(e.date or "", "evidence", e) for e in self.evidences]

        def key(entry: tuple[str, str, Note]) -> tuple[int, datetime] | tuple[int, str]:
            parsed = parse_api_datetime(entry[0])
            return (0, parsed) if parsed else (1, entry[0])

        return sorted(entries, key=key)


class ShipmentSummary(ApiModel):
    id: str
    service_id: Text = None
    order_id: Text = None
    carrier_id: Text = None
    status: Text = None
    carrier_name: Text = None
    payment_method: Text = None
    tags: TextList = []
    delivered_date: Text = None
    customer_id: Text = None
    customer_address_id: Text = None
    source: Text = None
    destination: Text = None
    courier_id: Text = None
    courier_name: Text = None
    seller: Text = None
    packages_quantity: Num = None
    items_quantity: Num = None
    service_type: Text = None
    creation_date: Text = None

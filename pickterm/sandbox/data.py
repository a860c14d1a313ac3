"""Deterministic demo data for the sandbox, in the exact JSON shapes of the API.

Everything is built from a small product catalog and per-order item lines, so the
orders, worksheets and shipments always agree with each other: worksheet items are
the order items grouped by SKU, each ``orderSource`` entry is one order's line.

Nothing here is random except through ``random.Random`` seeded with a fixed value,
so every call returns the same data.

The demo speaks the user's language: categories, notes, comments, reasons and the other
descriptions a person reads are marked with ``N_`` (or ``_`` where the data is built) and
come out in the language in effect when the data is built (:func:`demo_state`). Item names
stay as the store's catalog has them: the walk orders items by name, and it is the same walk
in every language.
"""

from __future__ import annotations

import base64
import copy
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pickterm.i18n import N_, _, ngettext

# --------------------------------------------------------------------------- ids

_NAMESPACE = uuid.UUID("0b1d7a54-3c2e-4f5a-9d8e-5a1c0e7f2b63")
IMAGE_BASE = "https://img.sandbox.pickterm.invalid/arquivos/ids"
TRACKING_BASE = "https://tracking.sandbox.pickterm.invalid/t"
FILES_BASE = "https://files.sandbox.pickterm.invalid"
HOSTNAME = "pickterm-demo"


def stable_uuid(key: str) -> str:
    """A UUID that is always the same for the same key."""
    return str(uuid.uuid5(_NAMESPACE, key))


def stable_hex(key: str) -> str:
    """32 hex characters (a facility-style id) that are always the same for the same key."""
    return uuid.uuid5(_NAMESPACE, key).hex


def gtin_check_digit(body: str) -> str:
    """The GS1 check digit for the digits of ``body`` (any GTIN length, without the check)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def ean13(body12: str) -> str:
    """A full EAN-13 from its first 12 digits."""
    if len(body12) != 12 or not body12.isdigit():
        raise ValueError(f"EAN-13 body must be 12 digits: {body12!r}")
    return body12 + gtin_check_digit(body12)


def is_valid_gtin(code: str) -> bool:
    """True when ``code`` is all digits, of a GTIN length, with a correct check digit."""
    return code.isdigit() and len(code) in (8, 12, 13, 14) and gtin_check_digit(code[:-1]) == code[-1]


def variable_measure_ean(item_code: str, prefix: str = "20") -> str:
    """A GS1 variable-measure EAN-13 (prefix 20-29, item code in digits 3-7, value zeros)."""
    return ean13(f"{prefix}{item_code}00000")


# --------------------------------------------------------------------------- time

_T0 = datetime(2025, 2, 10, 15, 2, 50, 545000, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 with milliseconds and a ``Z``, like the API."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def at(hours: float) -> datetime:
    """A fixed demo moment, ``hours`` after the demo epoch (10 Feb 2025, 15:02 UTC)."""
    return _T0 + timedelta(hours=hours)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# --------------------------------------------------------------------------- catalog

CATEGORIES = {
    "1": N_("Fruits & Vegetables"),
    "2": N_("Dairy & Eggs"),
    "3": N_("Bakery"),
    "4": N_("Meat & Deli"),
    "5": N_("Frozen"),
    "6": N_("Pantry"),
    "7": N_("Beverages"),
    "8": N_("Household"),
    "9": N_("Pets"),
    "10": N_("Personal Care"),
    "11": N_("Baby"),
    "12": N_("Apparel"),
}


class Product(NamedTuple):
    sku: str
    name: str
    category: str
    price: int  # minor units (MXN cents); per kilogram for weighable products
    temperature: str = "AMBIENT"
    list_price: int | None = None
    unit_multiplier: float = 1.0  # kilograms per unit for weighable products
    ean: str = ""  # fixed EAN (variable-measure products); generated otherwise

    @property
    def weighable(self) -> bool:
        return self.unit_multiplier != 1.0 or self.ean[:1] == "2"


def _p(sku: str, name: str, category: str, price: int, temperature: str = "AMBIENT", **kw: Any) -> Product:
    return Product(sku, name, category, price, temperature, **kw)


# The scale-label item code of the variable-measure product (GS1 "20 01234 vvvvv C").
SCALE_ITEM_CODE = "01234"

PRODUCTS: tuple[Product, ...] = (
    _p("101", "Bananas, loose (approx. 500 g each)", "1", 2990, unit_multiplier=0.5),
    _p("102", "Hass avocados (approx. 250 g each)", "1", 6990, unit_multiplier=0.25),
    _p("103", "Tomatoes [organic] 500g", "1", 3450),
    _p("104", "Red onions, 1 kg bag", "1", 2890),
    _p("105", "Limes, 1 kg bag", "1", 3290),
    _p("106", "Baby spinach 200g", "1", 3990, "COLD"),
    _p("107", "Jalapeño peppers 250g", "1", 1890),
    _p("201", "Whole milk 1 L", "2", 2690, "COLD"),
    _p("202", "Greek yogurt, natural 1 kg", "2", 8990, "COLD"),
    _p("203", "Free-range eggs, 12 pack", "2", 5490, "COLD"),
    _p("204", "Unsalted butter 225g", "2", 6290, "COLD"),
    _p("205", "Oaxaca cheese 400g", "2", 9490, "COLD"),
    _p("207", "Greek yogurt, natural 900g", "2", 7990, "COLD"),
    _p("301", "Sourdough loaf 800g", "3", 6990),
    _p("302", "Whole wheat tortillas, 10 pack", "3", 3490),
    _p("303", "Butter croissants, 4 pack", "3", 5990),
    _p(
        "401",
        "Serrano ham, sliced to order (per kg)",
        "4",
        59900,
        "COLD",
        unit_multiplier=0.2,
        ean=variable_measure_ean(SCALE_ITEM_CODE),
    ),
    _p("402", "Chicken breast fillets 1 kg", "4", 14990, "COLD"),
    _p("403", "Smoked salmon 200g", "4", 18990, "COLD"),
    _p("501", "Frozen peas 1 kg", "5", 4290, "FROZEN"),
    _p("502", "Vanilla ice cream 1.5 L", "5", 11990, "FROZEN"),
    _p("503", "Frozen mixed berries 500g", "5", 8490, "FROZEN"),
    _p("504", "Margherita pizza, stone baked 400g", "5", 9990, "FROZEN"),
    _p("601", "Extra virgin olive oil 750 ml", "6", 18990, list_price=21990),
    _p("602", "Basmati rice 2 kg", "6", 9490),
    _p("603", "Spaghetti No. 5, 500g", "6", 2490),
    _p("604", "Refried black beans 430g", "6", 2290),
    _p("605", "Ground coffee, dark roast 400g", "6", 15990),
    _p("606", "Crunchy peanut butter 340g", "6", 7290),
    _p("607", "Mint candies, 24 boxes", "6", 24000),
    _p("608", "Corn flakes 500g", "6", 5990),
    _p("701", "Sparkling water, 12 x 355 ml", "7", 11990),
    _p("702", "Orange juice, 100% 1 L", "7", 3990, "COLD"),
    _p("703", "Green tea, 25 bags", "7", 4590),
    _p("801", "Dishwasher tablets, 40 pack", "8", 28990),
    _p("802", "Paper towels, 6 rolls", "8", 8990),
    _p("803", "Laundry detergent, liquid 3 L", "8", 21990),
    _p("804", "Wine glasses, set of 4", "8", 34990),
    _p("805", "LED bulb E27, 9 W warm white", "8", 6990),
    _p("901", "Adult dog food, chicken & rice 15 kg", "9", 129900),
    _p("902", "Clumping cat litter 10 kg", "9", 24990),
    _p("903", "Cat treats, salmon 60g", "9", 3990),
    _p("1001", "Shampoo for dry hair 400 ml", "10", 8990),
    _p("1002", "Fluoride toothpaste 100 ml", "10", 3890),
    _p("1003", "Sunscreen SPF 50, 200 ml", "10", 27990),
    _p("1101", "Diapers size 3, 44 pack", "11", 38990),
    _p("1102", "Baby wipes, fragrance free, 80 pack", "11", 6490),
    _p("1201", "Yellow blouse, size XL", "12", 49900, list_price=69900),
    _p("1202", "Cotton socks, 3 pairs, size M", "12", 19900),
    _p("1203", "Rain jacket, navy, size L", "12", 89900),
)

_EAN_PREFIXES = ("750", "770", "779", "789", "840", "841")


def _generated_ean(sku: str) -> str:
    rng = random.Random(f"ean:{sku}")
    return ean13(rng.choice(_EAN_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(9)))


def _reference_code(sku: str) -> str:
    return f"{random.Random(f'ref:{sku}').randrange(1, 999999):06d}"


def category_name(category: str) -> str:
    return _(CATEGORIES[category])


def product_ean(product: Product) -> str:
    return product.ean or _generated_ean(product.sku)


CATALOG: dict[str, Product] = {p.sku: p for p in PRODUCTS}

# --------------------------------------------------------------------------- facilities

FACILITY_CDMX = "9c4f2a7e1b8d4e3fa6c05d2b7e9f1a34"
FACILITY_MDE = "2e8b5d1c7a9f4b06b3e1c8d5f2a7e490"

FACILITIES: dict[str, dict[str, Any]] = {
    FACILITY_CDMX: {
        "id": FACILITY_CDMX,
        "address": "Avenida Álvaro Obregón",
        "addressComplement": N_("Local 4, loading bay at the back"),
        "city": "Ciudad de México",
        "contactInformation": {
            "email": "roma-norte@sandbox.pickterm.invalid",
            "name": N_("Roma Norte picking desk"),
            "phone": "+52 55 5207 1834",
        },
        "country": "MEX",
        "location": {"latitude": 19.418736, "longitude": -99.161522},
        "name": "Roma Norte dark store",
        "neighborhood": "Roma Norte",
        "number": "182",
        "postalCode": "06700",
        "reference": N_("Between Córdoba and Mérida"),
        "state": "CDMX",
    },
    FACILITY_MDE: {
        "id": FACILITY_MDE,
        "address": "Carrera 43A",
        "addressComplement": "Bodega 3",
        "city": "Medellín",
        "contactInformation": {
            "email": "el-poblado@sandbox.pickterm.invalid",
            "name": "El Poblado warehouse",
            "phone": "+57 604 310 0129",
        },
        "country": "COL",
        "location": {"latitude": 6.200512, "longitude": -75.573841},
        "name": "El Poblado warehouse",
        "neighborhood": "El Poblado",
        "number": "6 Sur-15",
        "postalCode": "050021",
        "reference": N_("Next to the Milla de Oro service road"),
        "state": "Antioquia",
    },
}

CURRENCIES: dict[str, dict[str, Any]] = {
    "MXN": {
        "symbol": "$",
        "code": "MXN",
        "decimalSeparator": ".",
        "name": "MXN",
        "decimalDigits": 2,
        "groupSize": 3,
        "groupSeparator": ",",
    },
    "COP": {
        "symbol": "$",
        "code": "COP",
        "decimalSeparator": ",",
        "name": "COP",
        "decimalDigits": 0,
        "groupSize": 3,
        "groupSeparator": ".",
    },
}
# COP has no minor units here: catalog MXN cents x 2 gives realistic peso prices.
_PRICE_FACTOR = {"MXN": 1, "COP": 2}

WAREHOUSES = {
    FACILITY_CDMX: ("mx-roma-01", "CDMX Roma Norte"),
    FACILITY_MDE: ("co-poblado-01", "Medellín El Poblado"),
}

# --------------------------------------------------------------------------- specs

PENDING, PICKED, PACKED, REJECTED, REPLACED = "pending", "picked", "packed", "rejected", "replaced"


@dataclass
class Line:
    """One item line of an order, and the worksheet it is picked in."""

    sku: str
    qty: int
    state: str
    worksheet: str
    replaced_by: str | None = None
    reasons: list[dict[str, str]] | None = None
    notes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class OrderSpec:
    order_id: str
    status: str
    created: float  # hours after the demo epoch
    facility: str
    lines: list[Line]
    invoiced: bool = True
    currency: str = "MXN"
    source_status: str = "CREATED"  # the worksheet orderSource status (a shipment status)
    delivered: float | None = None
    priority: float = 100.0
    products: dict[str, Product] = field(default_factory=lambda: CATALOG)

    @property
    def sequence(self) -> str:
        return self.order_id[7:13]


@dataclass
class WorksheetSpec:
    worksheet_id: str
    facility: str
    status: str
    created: float
    picker: str
    priority: int = 0
    finished: float | None = None
    notes: list[dict[str, str]] = field(default_factory=list)


def _picker_note(hours: float, kind: str, content: str, author: str) -> dict[str, str]:
    return {"date": iso(at(hours)), "type": kind, "content": content, "author": author}


# The demo's ids (the app tells them apart by their form).
ORDER_NOT_INVOICED = "1509750516095-01"
ORDER_WEIGHABLE = "1509760516101-01"
ORDER_TWO_WORKSHEETS = "1509770516104-01"
ORDER_REPLACED = "1509780516107-01"
ORDER_EMPTY_WORKSHEET = "1509790516110-01"
ORDER_DELIVERED = "1506500515925-01"
ORDER_ON_ROUTE = "1507400515991-01"
ORDER_COP = "1508120516230-01"

WS_MAIN = "546206888193"
WS_FROZEN = "546206888207"
WS_EMPTY = "546206888221"
WS_DONE = "546744628006"
WS_MDE = "547102934415"

L = Line


def _order_specs() -> list[OrderSpec]:
    fragile = _picker_note(20.1, "COMMENT", _("[b]fragile[/b] wrap each glass in paper"), "picker.roma01")
    return [
        OrderSpec(
            ORDER_NOT_INVOICED,
            "IN_PROGRESS",
            0,
            FACILITY_CDMX,
            invoiced=False,
            priority=561.2,
            lines=[
                L("103", 2, PENDING, WS_MAIN),
                L("201", 3, PENDING, WS_MAIN),
                L("203", 1, PICKED, WS_MAIN),
                L("301", 1, PENDING, WS_MAIN),
                L("603", 4, PENDING, WS_MAIN),
                L("804", 1, PENDING, WS_MAIN, notes=[fragile]),
                L("1102", 2, PICKED, WS_MAIN),
                L("702", 2, PENDING, WS_MAIN),
                L("605", 1, PENDING, WS_MAIN),
                L("106", 1, PENDING, WS_MAIN),
            ],
        ),
        OrderSpec(
            ORDER_WEIGHABLE,
            "IN_PROGRESS",
            0.5,
            FACILITY_CDMX,
            priority=540.0,
            lines=[
                L("101", 2, PENDING, WS_MAIN),
                L("102", 3, PENDING, WS_MAIN),
                L("401", 1, PENDING, WS_MAIN),
                L("205", 1, PENDING, WS_MAIN),
                L("302", 2, PENDING, WS_MAIN),
                L("107", 1, PENDING, WS_MAIN),
                L("201", 2, PENDING, WS_MAIN),
                L("203", 1, PENDING, WS_MAIN),
            ],
        ),
        OrderSpec(
            ORDER_TWO_WORKSHEETS,
            "IN_PROGRESS",
            1.2,
            FACILITY_CDMX,
            priority=512.7,
            lines=[
                L("601", 1, PICKED, WS_MAIN),
                L("602", 1, PENDING, WS_MAIN),
                L("604", 3, PENDING, WS_MAIN),
                L("608", 2, PENDING, WS_MAIN),
                L("701", 1, PENDING, WS_MAIN),
                L("801", 1, PENDING, WS_MAIN),
                L("802", 2, PENDING, WS_MAIN),
                L("901", 1, PENDING, WS_MAIN),
                L("1001", 1, PENDING, WS_MAIN),
                L("1002", 2, PENDING, WS_MAIN),
                L("1201", 1, PENDING, WS_MAIN),
                L("1202", 2, PENDING, WS_MAIN),
                L("201", 1, PENDING, WS_MAIN),
                L("501", 2, PENDING, WS_FROZEN),
                L("502", 1, PENDING, WS_FROZEN),
                L("503", 1, PENDING, WS_FROZEN),
                L("504", 2, PENDING, WS_FROZEN),
            ],
        ),
        OrderSpec(
            ORDER_EMPTY_WORKSHEET,
            "PENDING",
            2.0,
            FACILITY_CDMX,
            priority=498.3,
            lines=[
                L("105", 1, PENDING, WS_MAIN),
                L("204", 2, PENDING, WS_MAIN),
                L("303", 1, PENDING, WS_MAIN),
                L("606", 1, PENDING, WS_MAIN),
                L("703", 2, PENDING, WS_MAIN),
                L("902", 1, PENDING, WS_MAIN),
                L("903", 4, PENDING, WS_MAIN),
                L("1003", 1, PENDING, WS_MAIN),
                L("1101", 1, PENDING, WS_MAIN),
                L("805", 3, PENDING, WS_MAIN),
                L("603", 2, PENDING, WS_MAIN),
            ],
        ),
        OrderSpec(
            ORDER_REPLACED,
            "PACKED",
            -30,
            FACILITY_CDMX,
            source_status="PENDING",
            lines=[
                L(
                    "202",
                    1,
                    REPLACED,
                    WS_DONE,
                    replaced_by="207",
                    reasons=[{"reasonType": "out-of-stock", "reasonDetail": _("Only the 900g size on the shelf")}],
                ),
                L("207", 1, PACKED, WS_DONE),
                L(
                    "403",
                    1,
                    REJECTED,
                    WS_DONE,
                    reasons=[{"reasonType": "out-of-stock", "reasonDetail": _("No stock on shelf 14B")}],
                ),
                L("1203", 1, REJECTED, WS_DONE, reasons=[{"reasonType": "damaged", "reasonDetail": _("Torn sleeve")}]),
                L("601", 2, PACKED, WS_DONE),
                L("803", 1, PACKED, WS_DONE),
                L("402", 1, PACKED, WS_DONE),
                L("701", 1, PACKED, WS_DONE),
            ],
        ),
        OrderSpec(
            ORDER_DELIVERED,
            "COMPLETED",
            -29,
            FACILITY_CDMX,
            source_status="DELIVERED",
            delivered=-4,
            lines=[
                L("901", 1, PACKED, WS_DONE),
                L("607", 4, PACKED, WS_DONE),
                L("1201", 1, PACKED, WS_DONE),
                L("803", 1, PACKED, WS_DONE),
                L("605", 2, PACKED, WS_DONE),
            ],
        ),
        OrderSpec(
            ORDER_ON_ROUTE,
            "PACKED",
            -20,
            FACILITY_MDE,
            currency="COP",
            source_status="ON_ROUTE",
            lines=[
                L("608", 1, PACKED, WS_MDE),
                L("702", 2, PACKED, WS_MDE),
                L("1002", 1, PACKED, WS_MDE),
                L("902", 1, PACKED, WS_MDE),
            ],
        ),
        OrderSpec(
            ORDER_COP,
            "IN_PROGRESS",
            -2,
            FACILITY_MDE,
            currency="COP",
            lines=[
                L("203", 2, PICKED, WS_MDE),
                L("301", 1, PENDING, WS_MDE),
                L("602", 1, PENDING, WS_MDE),
                L("1102", 1, PENDING, WS_MDE),
                L("702", 1, PENDING, WS_MDE),
            ],
        ),
    ]


def _worksheet_specs() -> list[WorksheetSpec]:
    return [
        WorksheetSpec(
            WS_MAIN,
            FACILITY_CDMX,
            "IN_PROGRESS",
            19.5,
            "picker.roma01",
            priority=2,
            notes=[
                _picker_note(19.6, "COMMENT", _("Cold items last; use the blue crates"), "supervisor.roma"),
                _picker_note(20.4, "ERROR", _("Scanner 3 battery low [replace before 14:00]"), "picker.roma01"),
            ],
        ),
        WorksheetSpec(WS_FROZEN, FACILITY_CDMX, "PENDING", 19.7, "picker.roma02", priority=1),
        WorksheetSpec(WS_EMPTY, FACILITY_CDMX, "PENDING", 19.8, "picker.roma02"),
        WorksheetSpec(WS_DONE, FACILITY_CDMX, "COMPLETED", -28, "picker.roma01", finished=-26.5),
        WorksheetSpec(WS_MDE, FACILITY_MDE, "IN_PROGRESS", -1.5, "picker.poblado01", priority=1),
    ]


# --------------------------------------------------------------------------- builders


def _price(spec: OrderSpec, product: Product) -> int:
    return product.price * _PRICE_FACTOR[spec.currency]


def _list_price(spec: OrderSpec, product: Product) -> int:
    return (product.list_price or product.price) * _PRICE_FACTOR[spec.currency]


def _picking_price(spec: OrderSpec, product: Product) -> int:
    return round(_price(spec, product) * product.unit_multiplier)


def _image(product: Product) -> str:
    return f"{IMAGE_BASE}/{155000 + int(product.sku) % 100000}-55-55/{product.sku}.jpg"


def _order_item(spec: OrderSpec, line: Line, index: int) -> dict[str, Any]:
    product = spec.products[line.sku]
    handled = line.state != PENDING
    status = {
        PENDING: "PENDING",
        PICKED: "COLLECTED",
        PACKED: "COMPLETED",
        REJECTED: "REJECTED",
        REPLACED: "COMPLETED",
    }[line.state]
    warehouse_id, warehouse_name = WAREHOUSES[spec.facility]
    uom = "KILOGRAMS" if product.weighable else "UNITS"
    return {
        "id": product.sku,
        "sku": product.sku,
        "referenceCode": _reference_code(product.sku),
        "itemName": product.name,
        "price": _price(spec, product),
        "pickingPrice": _picking_price(spec, product),
        "quantity": line.qty,
        "originalQuantity": line.qty,
        "replacedBy": [line.replaced_by] if line.replaced_by else None,
        "weighableProduct": product.weighable,
        "unitMultiplier": product.unit_multiplier,
        "originalUnitMultiplier": product.unit_multiplier,
        "unitOfMeasure": uom,
        "images": [_image(product)],
        "ean": product_ean(product),
        "status": status,
        "packedQuantity": line.qty if line.state == PACKED else None,
        "reasons": line.reasons,
        "pickers": [_picker_of(spec, line)] if handled else [],
        "worksheets": [line.worksheet],
        "warehouses": [{"warehouseId": warehouse_id, "warehouseName": warehouse_name, "quantity": line.qty}],
        "createdAt": iso(at(spec.created + 0.01 * (index + 1))),
    }


def _picker_of(spec: OrderSpec, line: Line) -> str:
    return "picker.poblado01" if spec.facility == FACILITY_MDE else "picker.roma01"


def _order_total(spec: OrderSpec) -> int:
    return sum(
        _picking_price(spec, spec.products[line.sku]) * line.qty
        for line in spec.lines
        if line.state not in (REJECTED, REPLACED)
    )


def build_order(spec: OrderSpec) -> dict[str, Any]:
    """The ``GET /orders/{orderId}`` body of one order."""
    lists: dict[str, list[dict[str, Any]]] = {
        "unhandledItems": [],
        "pickedItems": [],
        "rejectedItems": [],
        "replacedItems": [],
    }
    for index, line in enumerate(spec.lines):
        item = _order_item(spec, line, index)
        if line.state == REPLACED:
            product = spec.products[line.sku]
            # The contract also lists name / image / temperature / orderSource on replaced items.
            item.update(
                name=product.name,
                image=_image(product),
                temperature=product.temperature,
                orderSource=spec.order_id,
            )
        target = {
            PENDING: "unhandledItems",
            PICKED: "pickedItems",
            PACKED: "pickedItems",
            REJECTED: "rejectedItems",
            REPLACED: "replacedItems",
        }[line.state]
        lists[target].append(item)
    packed = [line.sku for line in spec.lines if line.state == PACKED]
    packages = (
        [{"id": stable_uuid(f"package:{spec.order_id}"), "status": "PACKED", "itemsIds": packed}] if packed else []
    )
    handled = sum(1 for line in spec.lines if line.state != PENDING)
    order: dict[str, Any] = {
        "orderId": spec.order_id,
        "sequence": spec.sequence,
        "status": spec.status,
        "createdAt": iso(at(spec.created)),
        "updatedAt": iso(at(spec.created + 3.4)),
        "shippingEstimatedDateMin": iso(at(spec.created + 26)),
        "tags": [],
        "pickingTime": round(3.5 * handled, 3),
        "packingTime": round(2.25 * len(packed), 3),
        "shippingTime": 0,
        "invoices": (
            [{"invoiceKey": f"key-{spec.sequence}{spec.order_id[-2:]}", "invoiceTotal": _order_total(spec)}]
            if spec.invoiced
            else []
        ),
        **lists,
        "packages": packages,
        "payment": [
            {
                "paymentId": stable_hex(f"payment:{spec.order_id}").upper(),
                "paymentName": _("Credit card") if spec.invoiced else _("Cash on delivery"),
                "transactionId": stable_hex(f"transaction:{spec.order_id}").upper(),
                "currency": dict(CURRENCIES[spec.currency]),
            }
        ],
    }
    if spec.delivered is not None:
        order["deliveredDate"] = iso(at(spec.delivered))
        order["trackingEvents"] = []
    return order


def _assignment(spec: WorksheetSpec, done: bool, index: int) -> dict[str, Any]:
    start = at(spec.created + 0.5 + 0.02 * index)
    return {
        "startPickingAt": iso(start),
        "assignedAt": iso(at(spec.created + 0.1)),
        "finishedAt": iso(start + timedelta(minutes=1)) if done else None,
    }


def build_worksheet(spec: WorksheetSpec, orders: list[OrderSpec]) -> dict[str, Any]:
    """The ``GET /worksheets/{worksheetId}`` body: the lines of ``orders`` picked in this worksheet."""
    groups: dict[str, list[tuple[OrderSpec, Line]]] = {}
    for order in orders:
        for line in order.lines:
            if line.worksheet == spec.worksheet_id:
                groups.setdefault(line.sku, []).append((order, line))
    items: list[dict[str, Any]] = []
    picked_items: list[dict[str, Any]] = []
    rejected_items: list[dict[str, Any]] = []
    replaced_items: list[dict[str, Any]] = []
    for index, (sku, sources) in enumerate(groups.items()):
        product = sources[0][0].products[sku]
        qty = sum(line.qty for _, line in sources)
        picked = sum(line.qty for _, line in sources if line.state in (PICKED, PACKED))
        packed = sum(line.qty for _, line in sources if line.state == PACKED)
        rejected = sum(line.qty for _, line in sources if line.state == REJECTED)
        replaced = sum(line.qty for _, line in sources if line.state == REPLACED)
        completed = picked + rejected + replaced
        image = _image(product)
        category = {"id": product.category, "name": category_name(product.category)}
        items.append(
            {
                "id": sku,
                "name": product.name,
                "image": image,
                "referenceCode": _reference_code(sku),
                "temperature": product.temperature,
                "categories": [category],
                "itemAssignment": _assignment(spec, completed == qty, index),
                "originalQuantity": qty,
                "completedQuantity": completed,
                "pickedQuantity": picked,
                "rejectedQuantity": rejected,
                "replacedQuantity": replaced,
                "orderSource": [
                    {
                        "orderId": order.order_id,
                        "sellingPrice": _price(order, product),
                        "listPrice": _list_price(order, product),
                        "currencyCode": order.currency,
                        "status": order.source_status,
                        "quantity": line.qty,
                        "pickedQuantity": line.qty if line.state in (PICKED, PACKED) else 0,
                        "rejectedQuantity": line.qty if line.state == REJECTED else 0,
                        "replacedQuantity": line.qty if line.state == REPLACED else 0,
                        "replacedBy": [line.replaced_by] if line.replaced_by else [],
                        "notes": [dict(note) for note in line.notes],
                    }
                    for order, line in sources
                ],
            }
        )
        if picked:
            picked_items.append(
                {
                    "id": sku,
                    "name": product.name,
                    "image": image,
                    "temperature": product.temperature,
                    "originalQuantity": qty,
                    "pickedQuantity": picked,
                    "packedQuantity": packed,
                    "orderSource": [
                        {
                            "orderId": order.order_id,
                            "sellingPrice": _price(order, product),
                            "listPrice": _list_price(order, product),
                            "quantity": line.qty,
                            "pickedQuantity": line.qty,
                            "packedQuantity": line.qty if line.state == PACKED else 0,
                            "currencyCode": order.currency,
                        }
                        for order, line in sources
                        if line.state in (PICKED, PACKED)
                    ],
                }
            )
        if rejected:
            rejected_items.append(
                {
                    "id": sku,
                    "name": product.name,
                    "image": image,
                    "temperature": product.temperature,
                    "originalQuantity": qty,
                    "rejectedQuantity": rejected,
                    "replacedQuantity": 0,
                    "orderSource": [
                        {
                            "orderId": order.order_id,
                            "quantity": line.qty,
                            "rejectedQuantity": line.qty,
                            "currencyCode": order.currency,
                            "notes": [dict(note) for note in line.notes],
                            "reasons": list(line.reasons or []),
                        }
                        for order, line in sources
                        if line.state == REJECTED
                    ],
                }
            )
        if replaced:
            replaced_items.append(
                {
                    "id": sku,
                    "name": product.name,
                    "image": image,
                    "temperature": product.temperature,
                    "originalQuantity": qty,
                    "replacedQuantity": replaced,
                    "replacedBy": sorted({line.replaced_by for _, line in sources if line.replaced_by}),
                    "orderSource": [
                        {
                            "orderId": order.order_id,
                            "sellingPrice": _price(order, product),
                            "listPrice": _list_price(order, product),
                            "quantity": line.qty,
                            "replacedQuantity": line.qty,
                            "currencyCode": order.currency,
                            "unitMultiplier": product.unit_multiplier,
                            "originalUnitMultiplier": product.unit_multiplier,
                            "unitOfMeasure": "KILOGRAMS" if product.weighable else "UNITS",
                            "replacedBy": [line.replaced_by] if line.replaced_by else [],
                            "reasons": list(line.reasons or []),
                            "notes": [dict(note) for note in line.notes],
                        }
                        for order, line in sources
                        if line.state == REPLACED
                    ],
                }
            )
    in_ws = [o for o in orders if any(line.worksheet == spec.worksheet_id for line in o.lines)]
    orders_ids = [
        {
            "totalValue": _order_total(order),
            "orderId": order.order_id,
            "unitsQuantity": sum(line.qty for line in order.lines if line.worksheet == spec.worksheet_id),
            "itemsQuantity": sum(1 for line in order.lines if line.worksheet == spec.worksheet_id),
            "shippingEstimatedDate": iso(at(order.created + 26)),
            "isInvoiced": order.invoiced,
            "priority": order.priority,
        }
        for order in in_ws
    ]
    last_pick = at(spec.created + 1)
    return {
        "id": stable_uuid(f"worksheet:{spec.worksheet_id}"),
        "worksheetId": spec.worksheet_id,
        "initDate": iso(at(spec.created + 0.5)),
        "finishedDate": iso(at(spec.finished)) if spec.finished is not None else None,
        "status": spec.status,
        "createdAt": iso(at(spec.created)),
        "priority": spec.priority,
        "categoriesIds": sorted({i["categories"][0]["id"] for i in items}, key=int),
        "lastPickedItemTime": epoch_ms(last_pick),
        "finishEstimatedDate": iso(at(spec.created + 6)),
        "hostname": HOSTNAME,
        "pickerAssignment": [
            {
                "active": spec.status not in ("COMPLETED", "CANCELLED"),
                "assignmentDate": iso(at(spec.created + 0.1)),
                "notes": [dict(note) for note in spec.notes],
                "method": "MANUAL",
                "pickerId": spec.picker,
                "finishedDate": iso(at(spec.finished)) if spec.finished is not None else None,
            }
        ],
        "totalCompletedItems": sum(1 for i in items if i["completedQuantity"] == i["originalQuantity"]),
        "totalPackedItems": sum(1 for i in picked_items if i["packedQuantity"] == i["originalQuantity"]),
        "updatedAt": iso(at(spec.created + 1.2)),
        "lastStatusChangeTime": epoch_ms(at(spec.created + 0.5)),
        "totalItems": len(items),
        "ordersIds": orders_ids,
        "facilityId": spec.facility,
        "items": items,
        "pickedItems": picked_items,
        "rejectedItems": rejected_items,
        "replacedItems": replaced_items,
        "historicalWorksheet": [],
    }


def worksheet_summary(worksheet: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``GET /worksheets?orderId=`` for a full worksheet body."""
    items = worksheet["items"]
    created = worksheet["createdAt"]
    estimate = worksheet["finishEstimatedDate"]
    return {
        "id": worksheet["id"],
        "facilityId": worksheet["facilityId"],
        "worksheetId": worksheet["worksheetId"],
        "categoriesIds": list(worksheet["categoriesIds"]),
        "finishedDate": worksheet["finishedDate"],
        "initDate": worksheet["initDate"],
        "status": worksheet["status"],
        "ordersIds": [
            {"orderId": o["orderId"], "unitsQuantity": o["unitsQuantity"], "itemsQuantity": o["itemsQuantity"]}
            for o in worksheet["ordersIds"]
        ],
        "hostname": worksheet["hostname"],
        "items": [],
        "pickerAssignment": [dict(a) for a in worksheet["pickerAssignment"]],
        "itemsQuantity": len(items),
        "unitsQuantity": sum(i["originalQuantity"] for i in items),
        "completedUnitsQuantity": sum(i["completedQuantity"] for i in items),
        "packedUnitsQuantity": sum(i["packedQuantity"] for i in worksheet["pickedItems"]),
        "deliveryWindow": {"minDate": estimate, "maxDate": estimate},
        "createdAt": created,
    }


# --------------------------------------------------------------------------- shipments

CARRIER_OWN = ("65f1c0a2b7e94d3a8c1f0e27", "Pickterm Fleet")
CARRIER_EXPRESS = ("627eb3b93a19fdc0cf5fe087", "Rápido Express")

# Written out, not made with stable_uuid: the home screen lists them before the sandbox is
# built, and uuid5 would import hashlib (OpenSSL) on the way there.
SHIP_DELIVERED = "7386632a-c1ca-5ee1-a3c1-3db73c232fc7"
SHIP_PENDING = "cc0972a7-076d-5429-9ca8-8ddb599e2eeb"
SHIP_INCIDENT = "2fed91d4-4201-5955-b9c7-6f3d9934e2fa"
SHIP_ON_ROUTE = "b6859324-68a6-5ad6-830c-380a962193c9"
SHIP_CREATED = "47a3ba39-5be8-5bf5-8a7f-d1278038bf85"

TRACK_DELIVERED = "770184559302174466519320"
TRACK_PENDING = "LM20250211004471"
TRACK_INCIDENT = "CO7731904460"
TRACK_ON_ROUTE = "CO7731904482"
TRACK_CREATED = "880012745533019"

_SENDERS = {
    FACILITY_CDMX: {
        "name": "Roma Norte dark store",
        "city": "Ciudad de México",
        "state": "CDMX",
        "country": "MEX",
        "zipCode": "06700",
    },
    FACILITY_MDE: {
        "name": "El Poblado warehouse",
        "city": "Medellín",
        "state": "ANTIOQUIA",
        "country": "COL",
        "zipCode": "050021",
    },
}
_TIMEZONES = {
    FACILITY_CDMX: {"offset": -6, "value": "America/Mexico_City"},
    FACILITY_MDE: {"offset": -5, "value": "America/Bogota"},
}


def _shipment(
    spec: OrderSpec,
    ship_id: str,
    service_id: str,
    status: str,
    carrier: tuple[str, str],
    *,
    created: float,
    receiver: dict[str, str],
    agent: dict[str, str] | None = None,
    delivered: float | None = None,
    notes: list[dict[str, str]] | None = None,
    evidences: list[dict[str, str]] | None = None,
    labels: list[dict[str, str]] | None = None,
    kind: str = "DELIVERY",
    service_type: str = "LOCAL",
    payment: str = "ONLINE",
    comments: str = "-",
    extra_packages: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    shipped = [line for line in spec.lines if line.state in (PICKED, PACKED)]
    items: list[dict[str, Any]] = [
        {
            "name": spec.products[line.sku].name,
            "image": _image(spec.products[line.sku]),
            "ean": product_ean(spec.products[line.sku]),
            "quantity": line.qty,
            "id": line.sku,
            "price": _picking_price(spec, spec.products[line.sku]),
        }
        for line in shipped
    ]
    agent = agent or {"id": "", "name": "", "vehicle": "VAN"}
    sender = dict(_SENDERS[spec.facility], pickupDate=iso(at(created + 1)))
    return {
        "id": ship_id,
        "orderId": spec.order_id,
        "carrierId": carrier[0],
        "serviceId": service_id,
        "carrierName": carrier[1],
        "seller": HOSTNAME,
        "status": status,
        "agent": agent,
        "trackingUrl": f"{TRACKING_BASE}/{service_id}",
        "totalDistanceTraveled": 0 if status in ("CREATED", "PENDING") else 7,
        "comments": comments,
        "evidences": evidences or [],
        "packages": [
            {
                "totalValue": sum(i["price"] * i["quantity"] for i in items),
                "envelope": "BOX M",
                "orderId": spec.order_id,
                "weight": "3.2",
                "description": _("Box"),
                "id": stable_uuid(f"package:{spec.order_id}"),
                "categories": [_("Box")],
                "items": items,
                "dimensions": {"width": "40", "length": "60", "height": "30"},
            },
            *(extra_packages or []),
        ],
        "type": kind,
        "notes": notes or [],
        "paymentMethod": payment,
        "carrierServiceType": service_type,
        "timezone": dict(_TIMEZONES[spec.facility]),
        "tags": [],
        "deliveredDate": iso(at(delivered)) if delivered is not None else None,
        "sender": sender,
        "receiver": dict(receiver, deliveryDate=iso(at(created + 26))),
        "labels": labels or [],
        # Fields of the list view that the detail view does not document.
        "creationDate": iso(at(created)),
        "customerId": f"customer-{spec.sequence}",
        "customerAddressId": f"{receiver['city']} - home",
    }


def _shipments(specs: dict[str, OrderSpec]) -> list[dict[str, Any]]:
    roma_receiver = {
        "name": _("Customer {id}").format(id="516095"),
        "city": "Ciudad de México",
        "state": "CDMX",
        "country": "MEX",
        "zipCode": "06100",
    }
    mde_receiver = {
        "name": _("Customer {id}").format(id="515991"),
        "city": "Envigado",
        "state": "ANTIOQUIA",
        "country": "COL",
        "zipCode": "055422",
    }
    courier = {"id": "1977157", "name": _("Courier {id}").format(id="1977157"), "vehicle": "SCOOTER"}
    van = {"id": "2034410", "name": _("Courier {id}").format(id="2034410"), "vehicle": "VAN"}
    return [
        _shipment(
            specs[ORDER_DELIVERED],
            SHIP_DELIVERED,
            TRACK_DELIVERED,
            "DELIVERED",
            CARRIER_EXPRESS,
            created=-27,
            delivered=-4,
            agent=courier,
            receiver=roma_receiver,
            kind="PICKUP_DELIVERY",
            comments=_("Leave with the building concierge"),
            evidences=[
                {
                    "date": iso(at(-4.02)),
                    "type": "IMAGE",
                    "author": courier["name"],
                    "content": f"{FILES_BASE}/evidences/{TRACK_DELIVERED}-signature.jpg",
                },
                {
                    "date": iso(at(-4.01)),
                    "type": "IMAGE",
                    "author": courier["name"],
                    "content": f"{FILES_BASE}/evidences/{TRACK_DELIVERED}-door.jpg",
                },
            ],
            notes=[
                {
                    "date": iso(at(-5)),
                    "type": "COMMENT",
                    "content": _("Handle with care: [b]fragile[/b]"),
                    "author": "packer.roma01",
                },
                {
                    "date": iso(at(-4.5)),
                    "type": "ERROR",
                    "content": _("Doorbell broken, customer called"),
                    "author": courier["name"],
                },
                {
                    "date": iso(at(-4)),
                    "type": "COMMENT",
                    "content": _("Delivered to the concierge"),
                    "author": courier["name"],
                },
            ],
            labels=[
                {
                    "id": f"label-{TRACK_DELIVERED}",
                    "type": "PDF",
                    "name": _("Shipping label"),
                    "url": f"{FILES_BASE}/labels/{TRACK_DELIVERED}.pdf",
                },
                {
                    "id": f"label-{TRACK_DELIVERED}-zpl",
                    "type": "ZPL",
                    "name": _("Thermal label"),
                    "url": f"{FILES_BASE}/labels/{TRACK_DELIVERED}.zpl",
                },
            ],
        ),
        _shipment(
            specs[ORDER_REPLACED],
            SHIP_PENDING,
            TRACK_PENDING,
            "PENDING",
            CARRIER_EXPRESS,
            created=-27.5,
            receiver=roma_receiver,
            service_type="LOCAL",
        ),
        _shipment(
            specs[ORDER_ON_ROUTE],
            SHIP_INCIDENT,
            TRACK_INCIDENT,
            "INCIDENT",
            CARRIER_OWN,
            created=-18,
            agent=van,
            receiver=mde_receiver,
            payment="CASH",
            notes=[
                {
                    "date": iso(at(-10)),
                    "type": "ERROR",
                    "content": _("Address not found, gate code missing"),
                    "author": van["name"],
                }
            ],
        ),
        _shipment(
            specs[ORDER_ON_ROUTE],
            SHIP_ON_ROUTE,
            TRACK_ON_ROUTE,
            "ON_ROUTE",
            CARRIER_OWN,
            created=-8,
            agent=van,
            receiver=mde_receiver,
            payment="CASH",
            notes=[
                {
                    "date": iso(at(-1)),
                    "type": "COMMENT",
                    "content": _("Second attempt, gate code 4471"),
                    "author": "dispatch.poblado",
                }
            ],
        ),
        _shipment(
            specs[ORDER_COP],
            SHIP_CREATED,
            TRACK_CREATED,
            "CREATED",
            CARRIER_OWN,
            created=-1.9,
            receiver=mde_receiver,
            payment="CASH",
            extra_packages=[_second_box(specs[ORDER_COP])],
            labels=[
                {
                    "id": f"label-{TRACK_CREATED}-{kind.lower()}",
                    "type": kind,
                    "name": name,
                    "url": f"{FILES_BASE}/labels/{TRACK_CREATED}.{ext}",
                }
                for kind, name, ext in LABEL_KINDS
            ],
        ),
    ]


# The label types the API names, what the demo calls each and the file it serves.
LABEL_KINDS = (
    ("ZPL", "Thermal label", "zpl"),
    ("PDF", "Shipping label", "pdf"),
    ("BASE64", "Shipping label (base64)", "b64"),
    ("TEXT", "Text label", "txt"),
)


def _second_box(spec: OrderSpec) -> dict[str, Any]:
    """A second package of the COP order: a unit still to pick and a gift bag with no EAN, under a
    description that is hostile text (markup and a control character), shown literally."""
    product = spec.products["301"]
    return {
        "totalValue": _picking_price(spec, product),
        "envelope": "BAG S",
        "orderId": spec.order_id,
        "weight": "0.6",
        "description": "Bag [b]fragile[/b] \x1b[31m",
        "id": stable_uuid(f"package:{spec.order_id}:2"),
        "categories": ["Bag"],
        "items": [
            {
                "name": product.name,
                "image": _image(product),
                "ean": product_ean(product),
                "quantity": 1,
                "id": "301",
                "price": _picking_price(spec, product),
            },
            {"name": "Gift bag [red]", "image": "", "ean": "", "quantity": 1, "id": "GIFT-BAG", "price": 0},
        ],
        "dimensions": {"width": "20", "length": "30", "height": "10"},
    }


def _zpl_label(shipment: dict[str, Any]) -> bytes:
    """A 4x6 in thermal label at 203 dpi: carrier, receiver, order and the tracking number as a
    Code 128 barcode (``^BC``) with its text under it."""
    receiver = shipment["receiver"]
    lines = [
        "^XA",
        "^CI28",
        "^PW812",
        "^LL1218",
        f"^FO40,40^A0N,50,50^FD{shipment['carrierName']}^FS",
        f"^FO40,110^A0N,30,30^FDOrder {shipment['orderId']}^FS",
        "^FO40,160^GB732,3,3^FS",
        f"^FO40,190^A0N,40,40^FD{receiver['name']}^FS",
        f"^FO40,240^A0N,30,30^FD{receiver['city']} {receiver['zipCode']} {receiver['country']}^FS",
        f"^FO60,340^BY3^BCN,200,Y,N,N^FD{shipment['serviceId']}^FS",
        "^XZ",
    ]
    return ("\n".join(lines) + "\n").encode()


def _text_label(shipment: dict[str, Any]) -> bytes:
    receiver = shipment["receiver"]
    return (
        f"{shipment['carrierName']}\nOrder {shipment['orderId']}\n{receiver['name']}\n"
        f"{receiver['city']} {receiver['zipCode']} {receiver['country']}\nTracking {shipment['serviceId']}\n"
    ).encode()


def _pdf_label(shipment: dict[str, Any]) -> bytes:
    """A one-page PDF (4x6 in) with the same words as the text label."""
    text = _text_label(shipment).decode().splitlines()
    stream = (
        "BT /F1 14 Tf 20 400 Td 18 TL "
        + " ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in text)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1", "replace")


def label_files(shipments: dict[str, dict[str, Any]]) -> dict[str, tuple[str, bytes]]:
    """What the demo's label host serves: ``/labels/NAME`` -> (content type, body), for every
    label URL of the shipments."""
    makers = {
        "zpl": ("application/zpl", _zpl_label),
        "pdf": ("application/pdf", _pdf_label),
        "txt": ("text/plain", _text_label),
        "b64": ("text/plain", lambda s: base64.b64encode(_pdf_label(s))),
    }
    files: dict[str, tuple[str, bytes]] = {}
    for shipment in shipments.values():
        for label in shipment.get("labels", []):
            url = str(label.get("url", ""))
            if not url.startswith(f"{FILES_BASE}/labels/"):
                continue
            name = url.removeprefix(FILES_BASE)
            content_type, make = makers.get(name.rsplit(".", 1)[-1], makers["txt"])
            files[name] = (content_type, make(shipment))
    return files


def shipment_summary(shipment: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``GET /shipments?orderId=`` for a full shipment body."""
    packages = shipment["packages"]
    sender, receiver, agent = shipment["sender"], shipment["receiver"], shipment["agent"]
    return {
        "id": shipment["id"],
        "serviceId": shipment["serviceId"],
        "orderId": shipment["orderId"],
        "carrierId": shipment["carrierId"],
        "status": shipment["status"],
        "carrierName": shipment["carrierName"],
        "paymentMethod": shipment["paymentMethod"],
        "tags": list(shipment["tags"]),
        "deliveredDate": shipment["deliveredDate"],
        "customerId": shipment.get("customerId", "-"),
        "customerAddressId": shipment.get("customerAddressId", "-"),
        "source": f"{sender['city']}-{sender['country']}",
        "destination": f"{receiver['city']}-{receiver['country']}",
        "courierId": agent.get("id") or None,
        "courierName": agent.get("name") or None,
        "seller": shipment["seller"],
        "packagesQuantity": len(packages),
        "itemsQuantity": sum(i["quantity"] for p in packages for i in p["items"]),
        "serviceType": shipment["type"] if shipment["type"] in ("PICKUP", "DELIVERY") else "PICKUP_DELIVERY",
        "creationDate": shipment.get("creationDate", shipment["sender"].get("pickupDate", "")),
    }


# --------------------------------------------------------------------------- state


class DemoState(NamedTuple):
    """Everything the sandbox serves, keyed the way it is looked up."""

    orders: dict[str, dict[str, Any]]  # by orderId
    worksheets: dict[str, dict[str, Any]]  # by the 12-digit worksheetId
    facilities: dict[str, dict[str, Any]]  # by id
    shipments: dict[str, dict[str, Any]]  # by UUID id


def demo_state() -> DemoState:
    """A fresh copy of the demo data."""
    order_specs = _order_specs()
    by_id = {spec.order_id: spec for spec in order_specs}
    orders = {spec.order_id: build_order(spec) for spec in order_specs}
    worksheets = {}
    for ws_spec in _worksheet_specs():
        worksheets[ws_spec.worksheet_id] = build_worksheet(ws_spec, order_specs)
    # The known race: an extra, empty worksheet that still names the order.
    empty = worksheets[WS_EMPTY]
    spec = by_id[ORDER_EMPTY_WORKSHEET]
    empty["ordersIds"] = [
        {
            "totalValue": 0,
            "orderId": spec.order_id,
            "unitsQuantity": 0,
            "itemsQuantity": 0,
            "shippingEstimatedDate": iso(at(spec.created + 26)),
            "isInvoiced": spec.invoiced,
            "priority": spec.priority,
        }
    ]
    facilities = {fid: copy.deepcopy(f) for fid, f in FACILITIES.items()}
    for facility in facilities.values():  # what a person reads, in the user's language
        for key in ("addressComplement", "reference"):
            facility[key] = _(facility[key])
        facility["contactInformation"]["name"] = _(facility["contactInformation"]["name"])
    shipments = {s["id"]: s for s in _shipments(by_id)}
    return DemoState(orders, worksheets, facilities, shipments)


# --------------------------------------------------------------------------- samples


def items_label(n: int) -> str:
    """``38 items`` in the user's language."""
    return ngettext("{n} item", "{n} items", n).format(n=n)


def worksheet_label(items: int, orders: int) -> str:
    """``worksheet, 38 items over 4 orders`` in the user's language."""
    return _("worksheet, {items} over {orders}").format(
        items=items_label(items), orders=ngettext("{n} order", "{n} orders", orders).format(n=orders)
    )


def _worksheet_size(worksheet_id: str, orders: list[OrderSpec]) -> tuple[int, int]:
    """A worksheet's items and orders as :func:`build_worksheet` makes them: one item per SKU
    of the lines picked in it, and the orders that have such a line."""
    skus = {line.sku for order in orders for line in order.lines if line.worksheet == worksheet_id}
    in_ws = [order for order in orders if any(line.worksheet == worksheet_id for line in order.lines)]
    return len(skus), len(in_ws)


def samples() -> dict[str, list[tuple[str, str]]]:
    """A few ids of each kind of the demo data, each with a short label, in the user's language,
    from the specs alone: the home screen lists them without the sandbox built."""
    orders = _order_specs()
    frozen_items = _worksheet_size(WS_FROZEN, orders)[0]
    return {
        "orders": [
            (ORDER_NOT_INVOICED, _("order, not invoiced (tracking refused)")),
            (ORDER_REPLACED, _("order with rejected and replaced items")),
            (ORDER_WEIGHABLE, _("order with weighable items")),
            (ORDER_TWO_WORKSHEETS, _("order over two worksheets")),
            (ORDER_EMPTY_WORKSHEET, _("order with an extra empty worksheet")),
            (ORDER_ON_ROUTE, _("order on route: mark it delivered")),
            (ORDER_DELIVERED, _("order, delivered")),
        ],
        "worksheets": [
            (WS_MAIN, worksheet_label(*_worksheet_size(WS_MAIN, orders))),
            (WS_FROZEN, _("worksheet, frozen, {items}").format(items=items_label(frozen_items))),
            (WS_MDE, _("worksheet, Medellín, in progress")),
            (WS_DONE, _("worksheet, completed")),
        ],
        "tracking_numbers": [
            (TRACK_ON_ROUTE, _("shipment on route")),
            (TRACK_DELIVERED, _("shipment delivered, with evidence")),
            (TRACK_INCIDENT, _("shipment with an incident")),
            (TRACK_PENDING, _("shipment pending at the carrier")),
            (TRACK_CREATED, _("shipment created")),
        ],
        "shipments": [
            (SHIP_DELIVERED, _("shipment delivered (internal id)")),
            (SHIP_ON_ROUTE, _("shipment on route (internal id)")),
        ],
        "facilities": [(fid, _("facility, {name}").format(name=f["name"])) for fid, f in FACILITIES.items()],
    }


# --------------------------------------------------------------------------- big data

_BIG_BASES = (
    "Sparkling water",
    "Pasta shells",
    "Tomato sauce",
    "Black tea",
    "Oat biscuits",
    "Rice crackers",
    "Canned tuna",
    "Coconut milk",
    "Peanut snacks",
    "Dish soap",
    "Hand soap",
    "Toilet paper",
    "Dog treats",
    "Cat food pouch",
    "Yogurt drink",
    "Cheddar slices",
    "Frozen fries",
    "Fish fingers",
    "Granola",
    "Honey",
    "Chili sauce",
    "Sea salt",
    "Trash bags",
    "Sponges",
    "Tortilla chips",
)
_BIG_VARIANTS = (
    "250g",
    "500g",
    "1 kg",
    "330 ml",
    "1 L",
    "2 L",
    "6 pack",
    "12 pack",
    "family size",
    "mini",
    "lemon",
    "original",
    "light",
    "extra strong",
    "unscented",
    "lavender",
    "spicy",
    "mild",
    "[value pack]",
    "multigrain",
    "sugar free",
    "classic",
    "chicken",
    "beef",
    "vanilla",
    "cocoa",
    "berry",
    "mint",
    "sea breeze",
    "whole grain",
    "low sodium",
    "organic",
    "smoked",
    "honey roast",
    "large",
    "medium",
    "small",
    "travel size",
    "refill",
    "gift box",
)
_BIG_TEMPERATURES = ("AMBIENT", "AMBIENT", "AMBIENT", "COLD", "FROZEN")


def big_data(
    serial: int, *, items: int = 1000, orders: int = 10, facility: str = FACILITY_CDMX
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A generated worksheet of ``items`` items over ``orders`` orders (for benchmarks).

    ``serial`` (0, 1, ...) keeps the ids of several generated sets apart. Returns the
    worksheet body and the order bodies by order id. Every EAN is a valid EAN-13.
    """
    if items < 1 or orders < 1:
        raise ValueError("items and orders must be at least 1")
    if items * (serial + 1) > 899_999:
        raise ValueError("too many generated items")
    rng = random.Random(f"big:{serial}")
    ws_id = f"{600_000_000_000 + serial:012d}"
    products: dict[str, Product] = {}
    order_ids = [f"{1_520_000_000_000 + serial * 1000 + k:013d}-01" for k in range(orders)]
    lines: dict[str, list[Line]] = {oid: [] for oid in order_ids}
    for i in range(items):
        sku = str(100_000 + serial * items + i)
        name = f"{_BIG_BASES[i % len(_BIG_BASES)]}, {_BIG_VARIANTS[(i // len(_BIG_BASES)) % len(_BIG_VARIANTS)]}"
        if i >= len(_BIG_BASES) * len(_BIG_VARIANTS):
            name += f" #{i}"
        n = (int(sku) * 7919 + 12345) % 1_000_000_000
        products[sku] = Product(
            sku,
            name,
            str(1 + i % 12),
            990 + rng.randrange(0, 40000, 10),
            _BIG_TEMPERATURES[i % len(_BIG_TEMPERATURES)],
            ean=ean13(f"779{n:09d}"),
        )
        first = i % orders
        lines[order_ids[first]].append(Line(sku, 1 + i % 3, PENDING, ws_id))
        if orders > 1 and i % 7 == 0:  # some items go to two orders
            lines[order_ids[(first + 1) % orders]].append(Line(sku, 1, PENDING, ws_id))
    specs = [
        OrderSpec(
            oid,
            "IN_PROGRESS",
            18 + 0.1 * k,
            facility,
            lines[oid],
            priority=400.0 - k,
            currency="MXN",
            products=products,
        )
        for k, oid in enumerate(order_ids)
    ]
    ws_spec = WorksheetSpec(ws_id, facility, "IN_PROGRESS", 19.9, "picker.bench01", priority=3)
    worksheet = build_worksheet(ws_spec, specs)
    return worksheet, {spec.order_id: build_order(spec) for spec in specs}

"""Status values as a person reads them: a tone for colour, a symbol and the word. No imports."""

from __future__ import annotations

ORDER_STATUSES = (
    "PENDING",
    "IN_PROGRESS",
    "COLLECTED",
    "READY_FOR_PACKING",
    "PACKING",
    "PACKED",
    "SORTING",
    "COMPLETED",
    "CANCELLED",
    "REJECTED",
)
SHIPMENT_STATUSES = (
    "CREATED",
    "PENDING",
    "ASSIGNED",
    "PICKED",
    "ON_ROUTE",
    "INCIDENT",
    "ON_HOLD",
    "RETURNED",
    "DELIVERED",
    "CANCELLED",
    "CANCELED",
    "TRANSFER",
)

_TONES = {
    "ok": {"COMPLETED", "PACKED", "DELIVERED", "COLLECTED"},
    "busy": {"IN_PROGRESS", "PACKING", "SORTING", "READY_FOR_PACKING", "ASSIGNED", "PICKED", "ON_ROUTE", "TRANSFER"},
    "wait": {"PENDING", "CREATED", "ON_HOLD"},
    "bad": {"CANCELLED", "CANCELED", "REJECTED", "INCIDENT", "RETURNED"},
}

# Status never depends on colour alone: every tone has a symbol, and the word is always shown.
TONE_SYMBOLS = {"ok": "✔", "busy": "▶", "wait": "…", "bad": "✘", "unknown": "?"}


def status_tone(status: str | None) -> str:
    """'ok', 'busy', 'wait', 'bad' or 'unknown' for any status string (open set)."""
    value = (status or "").upper()
    for tone, values in _TONES.items():
        if value in values:
            return tone
    return "unknown"


def status_label(status: str | None) -> str:
    """``READY_FOR_PACKING`` -> ``ready for packing``."""
    return (status or "unknown").replace("_", " ").lower()

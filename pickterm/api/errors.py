"""One exception family for everything the Pick and Pack client can fail with.

The configured key and every token are redacted from what an error holds (see
``pickterm.text.redact``); showing it still goes through ``pickterm.text.clean``.
Every error carries what support needs (HTTP status, the server's ``code``, its
``message`` and ``requestId``), a human sentence, and ``advice``: a code for what to do
next. The user interfaces word the advice with their own keys and commands (the app in
``pickterm.widgets.advice``, the command line in its commands); the core names no key.
No raw httpx or pydantic exception leaves the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pickterm.i18n import N_
from pickterm.text import redact

if TYPE_CHECKING:
    from pickterm.jsonvalue import JSONObject

# What the user can do about an error (``PickPackError.advice``).
RETRY_OR_SUPPORT: Final = "retry-or-support"  # try again; if it keeps failing, support wants the requestId
CHECK_ID: Final = "check-id"  # the id is probably wrong
NO_ACCESS: Final = "no-access"  # the account may not see it
CHECK_INPUT: Final = "check-input"  # what was entered was refused
CHECK_KEY: Final = "check-key"  # the profile's API key is wrong or missing
WAIT_AND_RETRY: Final = "wait-and-retry"  # too many requests
RETRY_LATER: Final = "retry-later"  # the service is having trouble
CHECK_CONNECTION: Final = "check-connection"  # the network is down or slow
UNEXPECTED_ANSWER: Final = "unexpected-answer"  # the server answered something the contract does not allow
INVOICE_FIRST: Final = "invoice-first"  # the order must be invoiced before it can be marked delivered
MAY_HAVE_ARRIVED: Final = "may-have-arrived"  # the request left, no answer came: check before sending again
RAISE_SIZE_LIMIT: Final = "raise-size-limit"  # the answer was over the configured size limit
ADVICE: Final = frozenset(
    {
        RETRY_OR_SUPPORT,
        CHECK_ID,
        NO_ACCESS,
        CHECK_INPUT,
        CHECK_KEY,
        WAIT_AND_RETRY,
        RETRY_LATER,
        CHECK_CONNECTION,
        UNEXPECTED_ANSWER,
        INVOICE_FIRST,
        MAY_HAVE_ARRIVED,
        RAISE_SIZE_LIMIT,
    }
)


class PickPackError(Exception):
    """Base of every error the client raises."""

    sentence = N_("Request failed")
    advice: str = RETRY_OR_SUPPORT
    transient = False
    # False when it failed before the API request left (getting a token): nothing reached the API.
    request_left = True

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        meaning = CODE_MEANINGS.get(code or "")
        if meaning is not None:  # the code says more than the HTTP status
            self.sentence, self.advice = meaning
        # Secrets never live in an error: a server that repeats the key or a token loses it here.
        self.message = redact(message) if message else self.sentence
        self.status = status
        self.code = None if code is None else redact(code)
        self.request_id = None if request_id is None else redact(request_id)
        super().__init__(str(self))

    def __str__(self) -> str:
        details = []
        if self.code:
            details.append(f"code {self.code}")
        if self.request_id:
            details.append(f"requestId {self.request_id}")
        text = self.sentence if self.message == self.sentence else f"{self.sentence}: {self.message}"
        return f"{text} ({', '.join(details)})" if details else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"

    def as_dict(self) -> JSONObject:
        """What the outbox stores about a failed attempt."""
        return {
            "kind": type(self).__name__,
            "sentence": self.sentence,
            "message": self.message,
            "status": self.status,
            "code": self.code,
            "requestId": self.request_id,
        }


# What a known server code means: a title, and advice more precise than its HTTP status's.
# ORA0001B comes as a 404, yet nothing is missing: the order is not invoiced.
CODE_MEANINGS: dict[str, tuple[str, str]] = {
    "ORA0001B": (N_("Order not invoiced"), INVOICE_FIRST),
    "ORD0002B": (N_("Order not found"), CHECK_ID),
    "WORK0001B": (N_("Worksheet not found"), CHECK_ID),
    "FAC0001B": (N_("Facility not found"), CHECK_ID),
    "TRP0005E": (N_("Shipment not found"), CHECK_ID),
    "GEN0001B": (N_("Order id missing"), CHECK_INPUT),
    "ORD0001B": (N_("Order id missing"), CHECK_INPUT),
}


class NotFoundError(PickPackError):
    sentence = N_("Not found")
    advice = CHECK_ID


class AccessDeniedError(PickPackError):
    sentence = N_("Access denied")
    advice = NO_ACCESS


class BadRequestError(PickPackError):
    sentence = N_("Bad request")
    advice = CHECK_INPUT


class AuthenticationError(PickPackError):
    sentence = N_("API key rejected")
    advice = CHECK_KEY


class RateLimitedError(PickPackError):
    sentence = N_("Rate limited")
    advice = WAIT_AND_RETRY
    transient = True


class ServerError(PickPackError):
    sentence = N_("Server error")
    advice = RETRY_LATER
    transient = True


class OfflineError(PickPackError):
    sentence = N_("Network unreachable or timed out")
    advice = CHECK_CONNECTION
    transient = True


class NoAnswerError(OfflineError):
    """The request left, but no answer came back (timeout while waiting, connection
    dropped): the server may or may not have applied it."""

    sentence = N_("No answer from the server")
    advice = MAY_HAVE_ARRIVED


class InvalidResponseError(PickPackError):
    sentence = N_("Invalid response")
    advice = UNEXPECTED_ANSWER


class ResponseTooLargeError(InvalidResponseError):
    sentence = N_("Answer too large")
    advice = RAISE_SIZE_LIMIT


def error_for_status(status: int) -> type[PickPackError]:
    """The error class for an HTTP status that is not a success."""
    if status == 404:
        return NotFoundError
    if status == 403:
        return AccessDeniedError
    if status == 401:
        return AuthenticationError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return BadRequestError
    return InvalidResponseError

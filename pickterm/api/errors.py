"""One exception family for everything the Pick and Pack client can fail with.

The configured key and every token are redacted from what an error holds (see
``pickterm.text.redact``); showing it still goes through ``pickterm.text.clean``.
Every error carries what support needs (HTTP status, the server's ``code``, its
``message`` and ``requestId``), a human sentence, and a hint of what to do next.
No raw httpx or pydantic exception leaves the client.
"""

from __future__ import annotations

from typing import Any

from pickterm.text import redact


class PickPackError(Exception):
    """Base of every error the client raises."""

    sentence = "Request failed"
    hint = "Try again; if it keeps failing, contact support with the requestId."
    transient = False

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
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

    def as_dict(self) -> dict[str, Any]:
        """What the outbox stores about a failed attempt."""
        return {
            "kind": type(self).__name__,
            "sentence": self.sentence,
            "message": self.message,
            "status": self.status,
            "code": self.code,
            "requestId": self.request_id,
        }


class NotFoundError(PickPackError):
    sentence = "Not found"
    hint = "Check the id and try again."


class AccessDeniedError(PickPackError):
    sentence = "Access denied"
    hint = "This account has no access to it; check the profile or ask an administrator."


class BadRequestError(PickPackError):
    sentence = "Bad request"
    hint = "Check what was entered and try again."


class AuthenticationError(PickPackError):
    sentence = "API key rejected"
    hint = "Check the API key of this profile (pickterm config set-key)."


class RateLimitedError(PickPackError):
    sentence = "Rate limited"
    hint = "Too many requests; wait a moment and retry (F5)."
    transient = True


class ServerError(PickPackError):
    sentence = "Server error"
    hint = "The service is having trouble; retry in a moment (F5)."
    transient = True


class OfflineError(PickPackError):
    sentence = "Network unreachable or timed out"
    hint = "Check the connection; F5 retries."
    transient = True


class InvalidResponseError(PickPackError):
    sentence = "Invalid response"
    hint = "The server answered something unexpected; retry, then contact support with the requestId."


class ResponseTooLargeError(InvalidResponseError):
    sentence = "Answer too large"
    hint = "The server sent more than the size limit; if that is expected, raise it: pickterm config set max_response_mb N."


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

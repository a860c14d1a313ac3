"""The app's words for what to do about an API error: the core gives a code
(``PickPackError.advice``), this names the app's keys and the commands that help."""

from __future__ import annotations

from pickterm.api import errors

ADVICE_TEXT: dict[str, str] = {
    errors.RETRY_OR_SUPPORT: "Try again; if it keeps failing, contact support with the requestId.",
    errors.CHECK_ID: "Check the id and try again.",
    errors.NO_ACCESS: "This account has no access to it; check the profile or ask an administrator.",
    errors.CHECK_INPUT: "Check what was entered and try again.",
    errors.CHECK_KEY: "Check the API key of this profile (pickterm config set-key).",
    errors.WAIT_AND_RETRY: "Too many requests; wait a moment and retry (F5).",
    errors.RETRY_LATER: "The service is having trouble; retry in a moment (F5).",
    errors.CHECK_CONNECTION: "Check the connection; F5 retries.",
    errors.UNEXPECTED_ANSWER: "The server answered something unexpected; retry, then contact support with the requestId.",
    errors.INVOICE_FIRST: "The order must be invoiced before it can be marked delivered; invoice it, then send again.",
    errors.MAY_HAVE_ARRIVED: "The request may have reached the server; check the order before sending it again.",
    errors.RAISE_SIZE_LIMIT: "The server sent more than the size limit; if that is expected, raise it: "
    "pickterm config set max_response_mb N.",
}


def advice_text(error: errors.PickPackError) -> str:
    """What the user can do about ``error``, in the app's words."""
    return ADVICE_TEXT.get(error.advice, ADVICE_TEXT[errors.RETRY_OR_SUPPORT])

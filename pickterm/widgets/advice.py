"""The app's words for what to do about an API error: the core gives a code
(``PickPackError.advice``), this names the app's keys and the commands that help,
in the user's language."""

from __future__ import annotations

from pickterm.api import errors
from pickterm.i18n import N_, _

ADVICE_TEXT: dict[str, str] = {
    errors.RETRY_OR_SUPPORT: N_("Try again; if it keeps failing, contact support with the requestId."),
    errors.CHECK_ID: N_("Check the id and try again."),
    errors.NO_ACCESS: N_("This account has no access to it; check the profile or ask an administrator."),
    errors.CHECK_INPUT: N_("Check what was entered and try again."),
    errors.CHECK_KEY: N_("Check the API key of this profile (pickterm config set-key)."),
    errors.WAIT_AND_RETRY: N_("Too many requests; wait a moment and retry ({key})."),
    errors.RETRY_LATER: N_("The service is having trouble; retry in a moment ({key})."),
    errors.CHECK_CONNECTION: N_("Check the connection; {key} retries."),
    errors.UNEXPECTED_ANSWER: N_(
        "The server answered something unexpected; retry, then contact support with the requestId."
    ),
    errors.INVOICE_FIRST: N_(
        "The order must be invoiced before it can be marked delivered; invoice it, then send again."
    ),
    errors.MAY_HAVE_ARRIVED: N_("The request may have reached the server; check the order before sending it again."),
    errors.RAISE_SIZE_LIMIT: N_(
        "The server sent more than the size limit; if that is expected, raise it: pickterm config set max_response_mb N."
    ),
}


def advice_text(error: errors.PickPackError, refresh_key: str = "F5") -> str:
    """What the user can do about ``error``, in the app's words; ``refresh_key``: the key that
    loads again (the keymap's, as the screen names it)."""
    return _(ADVICE_TEXT.get(error.advice, ADVICE_TEXT[errors.RETRY_OR_SUPPORT])).format(key=refresh_key)

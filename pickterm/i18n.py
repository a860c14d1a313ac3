"""The user's language (English, Spanish, Brazilian Portuguese). No Textual here.

``_("text")`` translates a sentence of the user interface; ``N_("text")`` marks one for
the catalogs where it is defined (a table of words) and is translated where it is shown.
``ngettext("{n} item", "{n} items", n)`` translates a sentence that counts something, in the
plural form the language gives ``n`` (its catalog's ``Plural-Forms`` header).

The catalogs are gettext ``.mo`` files in the package (``pickterm/locale/LANG/LC_MESSAGES``),
read with the standard library. The language is, in this order: the profile's ``language``
setting, ``PICKTERM_LANG``, ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``, else English
(:func:`choose_language`). :func:`set_language` switches it for everything drawn next.

Numbers and dates in the user's conventions: :func:`decimal` (``0,350`` in es and pt-BR)
and :func:`date_text`.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "_",
    "choose_language",
    "current_language",
    "date_text",
    "decimal",
    "language_of",
    "ngettext",
    "set_language",
]

LANGUAGES = ("en", "es", "pt-BR")
"""The languages of the UI, as the ``language`` setting spells them."""

LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt-BR": "Português (Brasil)"}
"""Each language in its own words (the palette and the setup screen offer them so)."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "pickterm"
_CATALOG_DIRS = {"es": "es", "pt-BR": "pt_BR"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_of(value: str | None) -> str | None:
    """One of :data:`LANGUAGES` for a setting or a locale name (``es_MX.UTF-8``, ``pt_BR``,
    ``pt-br``, ``C``); None when it names none of them."""
    if not value:
        return None
    name = value.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if name in ("c", "posix") or name == "en" or name.startswith("en-"):
        return "en"
    if name == "es" or name.startswith("es-"):
        return "es"
    if name == "pt" or name.startswith("pt-"):  # Portuguese of Portugal reads Brazilian
        return "pt-BR"
    return None


def choose_language(setting: str | None = None, env: Mapping[str, str] = os.environ) -> str:
    """The language to use: ``setting`` (the profile's), else ``PICKTERM_LANG``, else the
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: the first one set decides), else English."""
    for value in (setting, env.get("PICKTERM_LANG")):
        language = language_of(value)
        if language is not None:
            return language
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return language_of(env[name]) or "en"
    return "en"


def set_language(language: str) -> str:
    """Use ``language`` (one of :data:`LANGUAGES`, or a locale name) from now on; the
    language in effect is returned (English for one without a catalog)."""
    global _translation, _language
    code = language_of(language) or "en"
    if code == "en":
        _translation = gettext.NullTranslations()
    else:
        try:
            with open(LOCALE_DIR / _CATALOG_DIRS[code] / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
                _translation = gettext.GNUTranslations(file)
        except OSError:  # a broken install: English rather than no app
            _translation, code = gettext.NullTranslations(), "en"
    _language = code
    return code


def current_language() -> str:
    """The language in effect (one of :data:`LANGUAGES`)."""
    return _language


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: float) -> str:
    """``singular`` or ``plural`` in the user's language, in the form it takes for ``n``
    (Spanish: 1 is singular; Brazilian Portuguese: 0 and 1 are; a fraction is plural)."""
    return _translation.ngettext(singular, plural, int(n) if float(n).is_integer() else 2)


def N_(message: str) -> str:
    """``message`` as it is: marked for the catalogs, translated later with :func:`_`."""
    return message


def decimal(text: str) -> str:
    """A number already formatted with a ``.`` (``"0.350"``) with the language's decimal
    separator (``"0,350"`` in Spanish and Portuguese)."""
    return text if _language == "en" else text.replace(".", ",")


_DATE_FORMATS = {"en": "%Y-%m-%d", "es": "%d/%m/%Y", "pt-BR": "%d/%m/%Y"}


def date_text(moment: datetime, *, time: bool = True) -> str:
    """A local date (and time) as the user writes it: ``2025-02-11 09:30`` in English,
    ``11/02/2025 09:30`` in Spanish and Portuguese."""
    fmt = _DATE_FORMATS.get(_language, "%Y-%m-%d") + (" %H:%M" if time else "")
    return moment.strftime(fmt)


set_language(choose_language())

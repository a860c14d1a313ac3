"""Widgets every screen uses: the header line, the error panel, status words, key/value rows.

Server text is data: everything here builds ``Content`` from plain strings or from
markup templates whose ``$variables`` are inserted literally, never parsed as markup,
and every piece of it goes through ``pickterm.text.clean`` (no terminal or bidi control).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from pickterm.i18n import N_, _, ngettext
from pickterm.status import TONE_SYMBOLS, status_tone
from pickterm.text import clean, one_line, redact

if TYPE_CHECKING:  # only the type: widgets never import the App at run time (see tests/test_layers.py)
    from pickterm.app import PickTermApp


# The server's status codes in the user's words (in English: the code itself, as the API says it).
STATUS_WORDS = {
    "PENDING": N_("PENDING"),
    "IN_PROGRESS": N_("IN_PROGRESS"),
    "COLLECTED": N_("COLLECTED"),
    "READY_FOR_PACKING": N_("READY_FOR_PACKING"),
    "PACKING": N_("PACKING"),
    "PACKED": N_("PACKED"),
    "SORTING": N_("SORTING"),
    "COMPLETED": N_("COMPLETED"),
    "CANCELLED": N_("CANCELLED"),
    "CANCELED": N_("CANCELED"),
    "REJECTED": N_("REJECTED"),
    "CREATED": N_("CREATED"),
    "ASSIGNED": N_("ASSIGNED"),
    "PICKED": N_("PICKED"),
    "ON_ROUTE": N_("ON_ROUTE"),
    "INCIDENT": N_("INCIDENT"),
    "ON_HOLD": N_("ON_HOLD"),
    "RETURNED": N_("RETURNED"),
    "DELIVERED": N_("DELIVERED"),
    "TRANSFER": N_("TRANSFER"),
}


def status_word(status: str | None) -> str:
    """A status in the user's words (an unknown one as the server says it), without style."""
    raw = one_line(status) if status else "UNKNOWN"
    return _(STATUS_WORDS[raw.upper()]) if raw.upper() in STATUS_WORDS else raw


def status_text(status: str | None) -> str:
    """``✔ ENTREGADO``: the symbol and the word of a status as plain text (a header line)."""
    return f"{TONE_SYMBOLS[status_tone(status)]} {status_word(status)}"


def status_content(status: str | None, *, code: bool = False) -> Content:
    """``✔ COMPLETED`` styled by tone, in the user's words; the word is always there. With
    ``code``, the server's own code follows a translated word (``✔ ENTREGADO (DELIVERED)``):
    the detail views, where a supervisor reads it."""
    tone = status_tone(status)
    raw = one_line(status) if status else "UNKNOWN"
    word = status_word(status)
    if code and word != raw:
        word = f"{word} ({raw})"
    return Content.from_markup(f"[$style]{TONE_SYMBOLS[tone]} $word[/]", style=_TONE_STYLE[tone], word=word)


_TONE_STYLE = {"ok": "$success", "busy": "$accent", "wait": "$warning", "bad": "bold $error", "unknown": "$foreground"}


def literal(text: Any, *, multiline: bool = True) -> Content:
    """Server text as it reads, never markup and never terminal or bidi control."""
    return Content(clean(text, multiline=multiline))


def styled_literal(text: Any, style: str, *, multiline: bool = False) -> Content:
    """Server text in a style (bold, dim...): literal and clean like ``literal``."""
    return Content.styled(clean(text, multiline=multiline), style)


class AppHeader(Horizontal):
    """One line: screen title, what it shows, and the outbox's pending count."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__(id="app-header")
        self._title = title
        self._subtitle = subtitle
        self._shown_subtitle = subtitle  # what the header shows now
        self._shown_status = ""

    def compose(self) -> ComposeResult:
        yield Static(literal(self._title, multiline=False), id="header-title")
        yield Static(literal(self._subtitle, multiline=False), id="header-subtitle")
        yield Static("", id="header-status")

    @property
    def pickapp(self) -> PickTermApp:
        """The running App, typed (the header is only ever shown by pickterm's screens)."""
        return cast("PickTermApp", self.app)

    def on_mount(self) -> None:
        self.watch(self.app, "outbox_counts", self._show_counts)
        self.watch(self.app, "store_status", self._show_status)

    def on_resize(self) -> None:
        self._show_counts(self.pickapp.outbox_counts)

    def _show_status(self, _status: str) -> None:
        self._show_counts(self.pickapp.outbox_counts)

    def set_subtitle(self, text: str) -> None:
        self._subtitle = text
        self._fit_subtitle()

    def _fit_subtitle(self) -> None:
        """The subtitle, its last `` · `` parts left out while it does not fit whole (a handheld
        reads ``1509780516107-01`` rather than ``1509780516107-01 · ✔ EMB…``)."""
        found = self.query("#header-subtitle")
        if not found:
            return
        text = one_line(self._subtitle)
        if self.size.width:
            title, status = self.query_one("#header-title", Static), self.query_one("#header-status", Static)
            room = self.size.width - title.outer_size.width - status.outer_size.width - 1
            parts = text.split(" · ")
            while len(parts) > 1 and cell_len(" · ".join(parts)) > room:
                parts.pop()
            text = " · ".join(parts)
        if text != self._shown_subtitle:  # the same text again: no new frame for it
            self._shown_subtitle = text
            found.first(Static).update(literal(text, multiline=False))

    def _show_counts(self, counts: tuple[int, int, int, int]) -> None:
        # pickterm.store.outbox.OutboxCounts: the same states and words as the outbox's list
        pending, sending, failed, uncertain = counts
        narrow = self.size.width < 60  # the handheld: no separators, still words
        parts = []
        if self.pickapp.services.demo:
            parts.append("DEMO")
        if pending:
            parts.append(("⟳" if narrow else "⟳ ") + ngettext("{n} pending", "{n} pending", pending).format(n=pending))
        if sending:
            parts.append(("⟳" if narrow else "⟳ ") + ngettext("{n} sending", "{n} sending", sending).format(n=sending))
        if failed:
            parts.append(("✘" if narrow else "✘ ") + ngettext("{n} failed", "{n} failed", failed).format(n=failed))
        if uncertain:
            parts.append(
                ("?" if narrow else "? ")
                + ngettext("{n} may have been sent", "{n} may have been sent", uncertain).format(n=uncertain)
            )
        store = self.pickapp.store_status
        if store:  # "store busy", "no store": the local store is not working right now
            parts.append(f"⚠{_(store)}" if narrow else f"⚠ {_(store)}")
        found = self.query("#header-status")
        if not found:  # being removed with its screen
            return
        status = found.first(Static)
        text = " ".join(parts) if narrow else " · ".join(parts)
        if text != self._shown_status:  # the same text again (a resize, the store still fine): no new frame
            self._shown_status = text
            status.update(text)
        self.call_after_refresh(self._fit_subtitle)  # the status or a resize took or gave back room
        status.set_class(bool(failed) or bool(store), "-failed")
        status.set_class(bool(pending or sending or uncertain) and not failed, "-pending")


def error_facts(error: Any) -> list[str]:
    """What an API error says beyond its sentence: the server's message (when it differs) and
    ``code X · requestId Y`` (support needs the requestId)."""
    lines = [error.message] if error.message and error.message != error.sentence else []
    details = " · ".join(
        part
        for part in (
            f"code {error.code}" if error.code else "",
            f"requestId {error.request_id}" if error.request_id else "",
        )
        if part
    )
    return [*lines, details] if details else lines


def missing_key(profile: str | None, palette_key: str) -> Exception:
    """What a screen says while no API key is set: so, and how to open the setup."""
    from pickterm.store.config import DEFAULT_PROFILE, MissingKeyError

    return MissingKeyError(
        _(
            "No API key is set for profile {profile}. Open the setup: {key}, then Setup"
            " (or run pickterm config set-key)."
        ).format(profile=profile or DEFAULT_PROFILE, key=palette_key)
    )


def store_news(news: str, error: BaseException | None) -> str:
    """What the local store's trouble (or its return) means for the picker (pickterm.watch's news)."""
    from pickterm.watch import NO_STORE, STORE_BACK, STORE_BUSY

    if news == STORE_BACK:
        return _("The local store is available again: recent lookups, pick progress and the outbox are back.")
    if news == NO_STORE:
        return _(
            "Local store unavailable: {error}. Lookups work; recent lookups, pick progress and the "
            "outbox are off until it can be opened (tried again every few seconds)."
        ).format(error=error)
    if news == STORE_BUSY:
        return _("The local store is busy: {error}.").format(error=error)
    return _("The local store failed: {error}.").format(error=error)


class ErrorPanel(Static):
    """What went wrong, the server's code and requestId, and what to do next."""

    def _key(self, binding_id: str) -> str:
        """The keys of a binding in effect, as a sentence names them (the App's keymap)."""
        return cast("PickTermApp", self.app).key_words(binding_id)

    def __init__(self, *, id: str = "error-panel") -> None:
        super().__init__("", id=id, markup=False)
        self.display = False

    def show_error(self, error: BaseException, hint: str | None = None) -> None:
        from pickterm.api.errors import PickPackError  # the API layer is loaded by now
        from pickterm.store.config import ConfigError
        from pickterm.store.state import StateError
        from pickterm.widgets.advice import advice_text

        if isinstance(error, PickPackError):
            lines = [f"✘ {_(error.sentence)}", *error_facts(error), hint or advice_text(error, self._key("refresh"))]
        elif isinstance(error, (ConfigError, StateError)):  # already one sentence naming file and key
            lines = [f"✘ {error}", hint or _("Fix the setting (pickterm config), or start with --demo.")]
        else:
            wrong = _("✘ Something went wrong: {kind}: {error}").format(kind=type(error).__name__, error=error)
            lines = [
                wrong,
                hint
                or _("{refresh} retries; {home} goes home.").format(
                    refresh=self._key("refresh"), home=self._key("home")
                ),
            ]
        self.update(literal("\n".join(one_line(redact(line)) for line in lines)))
        self.display = True

    def show_message(self, text: str) -> None:
        self.update(literal(redact(text)))
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False


class KeyValues(Static):
    """Label/value rows, labels dimmed, values literal."""

    def __init__(self, rows: Iterable[tuple[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.set_rows(rows)

    def set_rows(self, rows: Iterable[tuple[str, Any]]) -> None:
        parts = []
        for label, value in rows:
            value_content = value if isinstance(value, Content) else literal("-" if value in (None, "") else value)
            parts.append(Content.assemble(Content.styled(f"{label}: ", "dim"), value_content))
        self.update(Content("\n").join(parts))

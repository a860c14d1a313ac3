"""Scanner input for screens: a scan field that splits what arrives on the terminator, and
a guard that keeps a scanner's burst from answering a screen that takes no scans.

The rules (docs/ARCHITECTURE.md, "The scanner's rules"): a scan is a burst of printable keys, far
closer together than a person types, then the terminator. Several scans can arrive
in one read, one scan can arrive in two. A dialog, a menu or a list never takes a
scan as its answer: the burst is reported as "not counted" and nothing else happens.
The timing and splitting live in :mod:`pickterm.scan` (no Textual there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from pickterm.i18n import N_, _
from pickterm.scan import DEFAULT_BURST_MS, BurstDetector, split_scans
from pickterm.widgets.common import literal

# Keys a scanner ends a code with (Enter arrives as "enter", CR/LF as ctrl+m / ctrl+j).
TERMINATOR_KEYS = frozenset({"enter", "tab", "ctrl+m", "ctrl+j"})


def burst_threshold_ms(app: Any) -> float:
    """The profile's burst threshold (ms), or the default (demo, no settings)."""
    settings = getattr(app, "settings", None)
    value = getattr(settings, "scan_burst_ms", None) if settings is not None and not app.demo else None
    try:
        return float(value) if value is not None else DEFAULT_BURST_MS
    except (TypeError, ValueError):
        return DEFAULT_BURST_MS


class ScanField(Input):
    """The field a scanner types into. Each terminator ends one scan at once, in the order
    the keys came, and posts :class:`ScanField.Scanned` with exactly what was typed
    before it: scans that arrive together are never merged, a scan split across two
    reads is simply finished by the second.

    ``terminator`` is the scan settings' string: Enter (CR, LF, CRLF) and Tab are keys;
    a literal one (``#``) is split out of the typed text; none ("") is left to the screen
    (it ends a scan after a pause).
    """

    class Scanned(Message):
        def __init__(self, field: ScanField, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> ScanField:
            return self.field

    def __init__(self, *args: Any, terminator: str = "\n", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terminator = terminator

    def _ends_scan(self, key: str) -> bool:
        """Enter always ends a scan (also what a person typed); Tab when it is the terminator."""
        if key == "tab":
            return self.terminator == "\t"
        return key in TERMINATOR_KEYS

    def _scanned(self, value: str) -> None:
        if value.strip():
            self.post_message(self.Scanned(self, value))

    def _end_scan(self) -> None:
        """The terminator came: hand on what came before it; the field is empty for the next scan."""
        value, self.value = self.value, ""
        self._scanned(value)

    async def _on_key(self, event: events.Key) -> None:
        if self._ends_scan(event.key):
            event.stop()
            event.prevent_default()
            self._end_scan()
            return
        await super()._on_key(event)
        literal_end = self.terminator not in ("", "\n", "\r", "\r\n", "\t")
        if literal_end and event.is_printable and self.terminator in self.value:
            self._split(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        # A scanner (or an SSH stall) can deliver several codes as one piece of text.
        event.stop()
        event.prevent_default()
        self._split(self.value + event.text)

    def _split(self, text: str) -> None:
        terminator = self.terminator or "\n"
        if self.terminator == "\t":
            terminator = "\t"
        scans, rest = split_scans("", text, terminator)
        self.value = rest
        self.cursor_position = len(rest)
        for scan in scans:
            self._scanned(scan)


class BurstGuard:
    """For a screen or dialog that takes no scans: a scanner's burst never answers it.

    Mix in before the Textual class (``class Dialog(BurstGuard, ModalScreen)``). Every key
    that reaches the screen goes through :meth:`guard_key` first: printable keys that come
    in a burst are swallowed, and the terminator that ends a burst is swallowed too and
    reported as "not counted: CODE" (bell, and the ``#not-counted`` line when the screen
    has one, else a notification). A single key a person presses still works.

    The first key of a burst cannot be told from a person's key until the second comes:
    keys must only do something that :meth:`burst_started` can take back (move a
    highlight; a binding that runs once later keys have come does nothing, see
    :meth:`overtaken`), or answer through :meth:`hold`, which waits out the burst
    threshold first. ``clock`` is injectable for tests.
    """

    clock: Callable[[], float] = staticmethod(time.monotonic)
    NOT_COUNTED_HINT = N_("this takes keys, not scans")
    _keys_seen = 0  # every key that reached the screen, counted
    _let_through = 0  # the count of the last key not swallowed (a binding may act on it)
    _held: tuple[int, Callable[[], object]] | None = None  # an answer waiting out the threshold
    _held_timer: Any = None

    @property
    def burst(self) -> BurstDetector:
        detector: BurstDetector | None = getattr(self, "_burst_detector", None)
        if detector is None:
            detector = BurstDetector(burst_threshold_ms(self.app), clock=lambda: type(self).clock())  # type: ignore[attr-defined]
            self._burst_detector = detector
        return detector

    def on_key(self, event: events.Key) -> None:
        self.guard_key(event)

    def hold(self, answer: Callable[[], object]) -> None:
        """Give ``answer`` (what the key just let through answers: a scan must never give it)
        once the burst threshold has passed with no other key. A key that comes after that key
        within the threshold (the rest of a scan, or the Enter that ends it) made it the first
        key of a burst, and drops the answer. The wait is one of the screen's timers."""
        self.drop_held()
        if self.overtaken():  # the rest of a scan has come already
            return
        self._held = (self._let_through, answer)
        self._held_timer = self.set_timer(self.burst.threshold, self._give_held)  # type: ignore[attr-defined]

    def drop_held(self) -> None:
        """Forget a held answer (the screen answered otherwise, or is gone)."""
        self._held = None
        if self._held_timer is not None:
            self._held_timer.stop()
            self._held_timer = None

    def _give_held(self) -> None:
        held, self._held, self._held_timer = self._held, None, None
        if held is None:
            return
        key, answer = held
        # No key came after the held one, and the screen is still in front: a person's key.
        if key == self._keys_seen and self.app.screen is self:  # type: ignore[attr-defined]
            answer()

    def overtaken(self) -> bool:
        """True when a key reached the screen after the last one it let through: a binding that
        acts on that key now (bindings run after the screen has seen the keys behind it) acts on
        the first key of a burst, and must do nothing."""
        return self._keys_seen != self._let_through

    def guard_key(self, event: events.Key) -> bool:
        """Swallow the keys of a burst; True when ``event`` was swallowed."""
        self._keys_seen += 1
        swallowed = self._guard(event)
        if not swallowed:
            self._let_through = self._keys_seen  # the key a binding may now act on (see hold)
        return swallowed

    def _guard(self, event: events.Key) -> bool:
        burst = self.burst
        if event.is_printable and event.character:
            was_burst = burst.burst
            if burst.key(event.character):
                if not was_burst:
                    self.burst_started()
                event.stop()
                event.prevent_default()
                return True
            return False
        if event.key in TERMINATOR_KEYS:
            typed = burst.end()
            if typed is not None:
                event.stop()
                event.prevent_default()
                self.not_counted(typed)
                return True
            return False
        burst.reset()
        return False

    def burst_started(self) -> None:
        """The key before this one began a burst: take back what it did."""

    def not_counted(self, code: str) -> None:
        """Say that a scan arrived here and was not counted."""
        app = self.app  # type: ignore[attr-defined]
        app.bell()
        line = Content.assemble(
            Content.styled(_("Not counted: "), "bold"), literal(code), Content(f" — {_(self.NOT_COUNTED_HINT)}")
        )
        shown = self.query("#not-counted")  # type: ignore[attr-defined]
        if shown:
            target = shown.first(Static)
            target.display = True
            target.update(line)
        else:
            self.notify(str(line), severity="warning", markup=False)  # type: ignore[attr-defined]

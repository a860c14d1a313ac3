"""The footer of every screen: Textual's Footer, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its keys (a widget each) every time a screen says its
bindings may have changed: at start-up three times in a row (the focus, the screen
stack, and the focus again after a refresh), with the same keys each time. Each
rebuild cost the home screen about 7 ms of CPU while its lists were being drawn
(tests/benchmarks/bench_startup.py). This one compares what it would show (the keys,
their labels, whether each is enabled) with what it shows and skips a rebuild that
would change nothing.

On a narrow terminal (the handheld's 40 columns) a key that does not fit whole is hidden, never
cut mid-word: the command palette's key stays, and the palette lists every action.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from pickterm.i18n import _, current_language


class AppFooter(Footer):
    """A Footer that skips rebuilds which would show the same keys."""

    # The longest the first build waits for its screen (see hold).
    HOLD_SECONDS = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: object = None  # what the keys were built from; None: not built yet
        self._held = False  # the first build waits for release()
        self._due = False  # a build came while held

    def hold(self) -> None:
        """Build the keys only once :meth:`release` is called (a second at most): at start-up the
        home screen's lists are drawn first, the keys (about 7 ms of CPU) right after them."""
        if self._shown is None:
            self._held = True
            self.set_timer(self.HOLD_SECONDS, self.release)

    def release(self) -> None:
        """Build the keys now if a build was held back."""
        if self._held:
            self._held = False
            if self._due and self.is_attached:
                self._due = False
                self.call_later(self.recompose)

    def _what_to_show(self) -> object:
        app = self.app
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for (_node, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )
        return (keys, current_language(), self.show_command_palette, self.combine_groups, app.ENABLE_COMMAND_PALETTE)

    def compose(self) -> ComposeResult:
        self._shown = self._what_to_show() if self._bindings_ready else None
        for widget in super().compose():
            # Key labels are English msgids (pickterm.widgets.keys.bind): shown in the user's language.
            description = getattr(widget, "description", None)
            if isinstance(description, str) and description:
                setattr(widget, "description", _(description))  # noqa: B010 - a FooterKey's, untyped here
            elif isinstance(widget, Static) and isinstance(widget.content, str) and widget.content:
                widget.content = _(widget.content)  # a group's label ("Prev/Next")
            yield widget

    async def recompose(self) -> None:
        if self._held:
            self._due = True
            return
        if self._shown is not None and self.is_attached and self._what_to_show() == self._shown:
            return
        await super().recompose()
        self._fit()

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Hide the keys that would be cut (measured, not laid out: nothing moves twice)."""
        self.call_after_refresh(self._hide_cut)

    def _width(self, child: Widget) -> int:
        """The cells ``child`` takes in the footer's row, margins included."""
        styles = child.styles
        content = child.get_content_width(self.size, self.app.size)
        return content + styles.gutter.width + styles.margin.width

    def _hide_cut(self) -> None:
        if not self.is_attached or not self.size.width:
            return
        children = list(self.children)
        palette = [child for child in children if child.has_class("-command-palette")]
        limit = self.size.width - sum(self._width(child) for child in palette)
        shown = {child: True for child in children}
        used = 0
        cut = False
        previous: Widget | None = None
        for child in children:
            if child in palette:
                continue
            width = self._width(child)
            # A key's description ends with one cell of padding: that cell may go, not a letter.
            slack = 1 if isinstance(child, FooterKey) and not self.compact else 0
            if not cut and used + width - slack > limit:
                cut = True
                if isinstance(child, Static) and previous is not None:  # a group's label: its keys go too
                    shown[previous] = False
            used += width
            if cut:
                shown[child] = False
            previous = child
        for child, display in shown.items():
            if child.display != display:
                child.display = display

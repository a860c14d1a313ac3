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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: object = None  # what the keys were built from; None: not built yet

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
        if self._shown is not None and self.is_attached and self._what_to_show() == self._shown:
            return
        await super().recompose()
        self._fit()

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Show every key, then (once laid out) hide those that would be cut."""
        for child in self.children:
            child.display = True
        self.call_after_refresh(self._hide_cut)

    def _hide_cut(self, tries: int = 10) -> None:
        if not self.is_attached:
            return
        if any(child.region.width == 0 for child in self.children) and tries:  # not laid out yet
            self.call_after_refresh(self._hide_cut, tries - 1)
            return
        palette = [child for child in self.children if child.has_class("-command-palette")]
        limit = palette[0].region.x if palette else self.region.right
        cut = False
        previous: Widget | None = None
        for child in self.children:
            if child in palette:
                continue
            # A key's description ends with one cell of padding: that cell may go, not a letter.
            right = child.region.right - (1 if isinstance(child, FooterKey) and not self.compact else 0)
            if not cut and right > limit:
                cut = True
                if isinstance(child, Static) and previous is not None:  # a group's label: its keys go too
                    previous.display = False
            if cut:
                child.display = False
            previous = child

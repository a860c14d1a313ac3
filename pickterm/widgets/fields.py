"""Form fields for keyboard-only forms: a label, a one-line text field, and a message
under it that says what is wrong (or what was understood) as the user types.

Each field runs a ``check`` on every change: ``check(value)`` returns a
:class:`Verdict` (ok or not, and a message). Messages are plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static

from pickterm.widgets.common import literal


@dataclass(frozen=True)
class Verdict:
    """The result of checking a field: ``ok`` and a sentence (may be empty)."""

    ok: bool
    message: str = ""


Check = Callable[[str], Verdict]


class FormField(Vertical):
    """``Label  [field]`` on one line, the check's message on the next."""

    def __init__(
        self,
        label: str,
        *,
        name: str,
        value: str = "",
        placeholder: str = "",
        password: bool = False,
        check: Check | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.field_name = name
        self._initial = value
        self._placeholder = placeholder
        self._password = password
        self._check = check
        self.verdict = Verdict(True)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Static(Content(self.label), classes="field-label")
            yield Input(
                self._initial,
                placeholder=self._placeholder,
                password=self._password,
                compact=True,
                classes="field-input",
            )
        yield Static("", classes="field-message", markup=False)

    def on_mount(self) -> None:
        self.validate()

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def _input_or_none(self) -> Input | None:
        found = self.query(Input)
        return found.first() if found else None

    @property
    def value(self) -> str:
        field = self._input_or_none()
        return field.value if field is not None else self._initial

    @value.setter
    def value(self, text: str) -> None:
        self._initial = text
        field = self._input_or_none()
        if field is not None:
            field.value = text

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    def validate(self) -> Verdict:
        """Run the check on the current value and show its message."""
        verdict = self._check(self.value) if self._check is not None else Verdict(True)
        self.verdict = verdict
        found = self.query(".field-message")
        if not found:  # not composed yet: on_mount shows it
            return verdict
        message = found.first(Static)
        if verdict.message:
            message.update(literal(("✘ " if not verdict.ok else "") + verdict.message))
        else:
            message.update("")
        message.display = bool(verdict.message)
        message.set_class(not verdict.ok, "-error")
        self.set_class(not verdict.ok, "-invalid")
        return verdict

    def on_descendant_focus(self) -> None:
        # The message under the field too, not only the field itself.
        self.call_after_refresh(self.scroll_visible, animate=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        # Let the event bubble on: the form refreshes its preview after the field checked itself.
        self.validate()

    def focus_input(self, scroll_visible: bool = True) -> Any:
        return self.input.focus(scroll_visible)

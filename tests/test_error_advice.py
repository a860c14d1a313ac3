"""API errors carry what to do as a code; the app words it with its keys (the core names none)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pickterm.api import errors
from pickterm.app import PickTermApp
from pickterm.widgets.advice import ADVICE_TEXT, advice_text
from pickterm.widgets.common import ErrorPanel

from apphelpers import settle

ERRORS = [errors.PickPackError, *errors.PickPackError.__subclasses__()]
KEY_NAME = re.compile(r"\b(F\d{1,2}|ctrl\+\w|esc|enter)\b", re.IGNORECASE)


def test_the_api_errors_name_no_key_of_the_app():
    source = Path(errors.__file__).read_text(encoding="utf-8")
    texts = [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert [text for text in texts if KEY_NAME.search(text)] == []


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_has_advice_the_app_words(cls):
    assert cls.advice in errors.ADVICE
    assert advice_text(cls("x")) == ADVICE_TEXT[cls.advice].format(key="F5")


def test_the_app_words_every_advice():
    assert set(ADVICE_TEXT) == set(errors.ADVICE)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (errors.ServerError("boom", status=503), "retry in a moment (F5)"),
        (errors.OfflineError("no route"), "Check the connection; F5 retries."),
        (errors.NotFoundError("no such order", status=404), "Check the id and try again."),
    ],
)
async def test_the_error_panel_tells_what_to_do_with_the_apps_keys(error, words):
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ErrorPanel)
        panel.show_error(error)
        await pilot.pause()
        shown = str(panel.render())
        assert error.sentence in shown and words in shown

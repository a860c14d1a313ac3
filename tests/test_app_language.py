"""The picker's walk in Spanish and Brazilian Portuguese, the language switched from the
palette, and the setup screen that offers it."""

from __future__ import annotations

import pytest
import tomlkit

from pickterm.app import PickTermApp
from pickterm.i18n import current_language, set_language
from pickterm.sandbox import data
from pickterm.screens.walkthrough_dialogs import ScanErrorDialog, ShortReasonDialog, SummaryDialog
from pickterm.store.config import load_settings, save_setting

from apphelpers import BANANAS, SPINACH, dialog_text, ean, open_walk, settle, static_text, text_of, wedge

# What the picker reads at each step of the same walk, in each language.
WORDS = {
    "es": {
        "counted": "✔ 1 × Baby spinach 200g (1 de 1) — completo",
        "wrong": "✘ ARTÍCULO EQUIVOCADO",
        "scanned": "Leído",
        "expected": "Esperado Bananas",
        "acknowledged": "✘ Artículo equivocado: no contado. Escanea el artículo.",
        "reasons": ["1  sin existencia", "2  dañado", "3  no encontrado", "4  caducado", "5  otro"],
        "short": "Faltante: Bananas, loose (approx. 500 g each): 0 de 2 (dañado)",
        "summary": ["✘ 1 faltante", ": dañado (0 de 2)", "Sin terminar: faltan surtir 34 artículos."],
        "progress": "3/38 art. · 5/69 pzas",
    },
    "pt-BR": {
        "counted": "✔ 1 × Baby spinach 200g (1 de 1) — completo",
        "wrong": "✘ ITEM ERRADO",
        "scanned": "Lido",
        "expected": "Esperado Bananas",
        "acknowledged": "✘ Item errado: não contado. Bipe o item.",
        "reasons": ["1  sem estoque", "2  avariado", "3  não encontrado", "4  vencido", "5  outro"],
        "short": "Falta: Bananas, loose (approx. 500 g each): 0 de 2 (avariado)",
        "summary": ["✘ 1 falta", ": avariado (0 de 2)", "Não concluída: faltam separar 34 itens."],
        "progress": "3/38 itens · 5/69 un",
    },
}


@pytest.mark.parametrize("language", ["es", "pt-BR"])
async def test_the_same_walk_in_the_pickers_language(language):
    set_language(language)
    words = WORDS[language]
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_walk(pilot)
        # Scan right.
        await wedge(pilot, ean(app.sandbox, SPINACH))
        assert static_text(app, "#walk-feedback") == words["counted"]
        # Scan wrong (the milk while the bananas are expected), then Esc.
        await wedge(pilot, ean(app.sandbox, "201"))
        dialog = app.screen
        assert isinstance(dialog, ScanErrorDialog)
        shown = dialog_text(dialog)
        assert words["wrong"] in shown and words["scanned"] in shown and words["expected"] in shown
        await pilot.press("escape")
        await pilot.pause()
        assert static_text(app, "#walk-feedback") == words["acknowledged"]
        # Short with a reason: the reasons in the picker's words, stored as the app's codes.
        await pilot.press("f9")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ShortReasonDialog)
        assert [str(o.prompt) for o in dialog.query_one("#short-reasons").options] == words["reasons"]
        await pilot.press("2", "enter")
        await pilot.pause()
        saved = app.state.load_progress(data.WS_MAIN).item(BANANAS)
        assert (saved.state, saved.reason) == ("short", "damaged")
        assert static_text(app, "#walk-feedback") == "ℹ " + words["short"]
        assert static_text(app, "#walk-progress") == words["progress"]
        # The summary.
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, SummaryDialog)
        summary = static_text(app, "#summary-text")
        for line in words["summary"]:
            assert line in summary


async def test_the_palette_switches_the_language_live_and_the_profile_remembers_it(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    save_setting("api_key", "k" * 32, "main", path=path)
    monkeypatch.setattr("pickterm.store.config.config_path", lambda: path)
    settings = load_settings("main", env={}, path=path)
    app = PickTermApp(settings=settings, sandbox=None)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert "Scan or type an id" in text_of(app.screen) + app.screen.query_one("#lookup-input").placeholder
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Language: English", "Language: Español", "Language: Português (Brasil)"} <= set(commands)
        commands["Language: Português (Brasil)"].callback()
        await settle(pilot)
        await pilot.pause()
        assert current_language() == "pt-BR"
        assert app.screen.query_one("#lookup-input").placeholder == "Bipe ou digite um id"
        assert "Busca" in static_text(app, "#header-title")
        assert tomlkit.parse(path.read_text())["profiles"]["main"]["language"] == "pt-BR"
        # The palette now speaks Portuguese too: the way back is under its own name.
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Idioma: English"].callback()
        await settle(pilot)
        await pilot.pause()
        assert app.screen.query_one("#lookup-input").placeholder == "Scan or type an id"


async def test_the_setup_screen_offers_the_language(tmp_path, monkeypatch):
    from pickterm.screens.setup import save_profile

    path = tmp_path / "config.toml"
    monkeypatch.setattr("pickterm.store.config.config_path", lambda: path)
    values = {
        "profile": "floor",
        "api_url": "https://example.test/api",
        "auth_url": "https://example.test/auth",
        "auth_scheme": "bearer",
        "api_key": "k" * 32,
        "language": "es",
    }
    assert save_profile(values).language == "es"
    assert tomlkit.parse(path.read_text())["profiles"]["floor"]["language"] == "es"


def test_the_demo_speaks_the_profiles_language(monkeypatch):
    """`pickterm --demo` takes the profile's language (as it takes its keys): a picker tries the
    demo in the language they will use."""
    from pickterm.cli import build_app_parser
    from pickterm.commands.app import run_app
    from pickterm.store.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('default_profile = "floor"\n\n[profiles.floor]\nlanguage = "pt-BR"\n')
    path.chmod(0o600)
    monkeypatch.setattr(PickTermApp, "run", lambda self, *a, **k: None)
    assert run_app(build_app_parser().parse_args(["--demo"])) == 0
    assert current_language() == "pt-BR"

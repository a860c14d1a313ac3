"""The user's language: which one is chosen, the catalogs in the package, values in the
user's conventions, and the language switched from the palette."""

from __future__ import annotations

import re
import string
from datetime import datetime

import pytest
from catalogs import CATALOGS, compile_mo, extract, extract_plurals, mo_path, po_path, read_po

from pickterm.i18n import _, choose_language, current_language, date_text, decimal, ngettext, set_language
from pickterm.store.config import ConfigError, load_settings, save_setting

# ---------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        (None, {}, "en"),
        ("es", {"PICKTERM_LANG": "pt-BR", "LANG": "en_US.UTF-8"}, "es"),  # the profile wins
        (None, {"PICKTERM_LANG": "pt-BR", "LC_ALL": "es_MX.UTF-8"}, "pt-BR"),  # then PICKTERM_LANG
        (None, {"LC_ALL": "es_MX.UTF-8", "LANG": "pt_BR.UTF-8"}, "es"),  # then LC_ALL
        (None, {"LC_MESSAGES": "pt_BR.UTF-8", "LANG": "es_AR.UTF-8"}, "pt-BR"),  # LC_MESSAGES before LANG
        (None, {"LANG": "es_CO.UTF-8"}, "es"),
        (None, {"LANG": "pt_BR"}, "pt-BR"),
        (None, {"LC_ALL": "C", "LANG": "es_MX.UTF-8"}, "en"),  # LC_ALL set decides, even to C
        (None, {"LANG": "de_DE.UTF-8"}, "en"),  # no catalog: English
        (None, {"PICKTERM_LANG": "klingon", "LANG": "es_MX"}, "es"),  # an unknown PICKTERM_LANG is passed over
    ],
)
def test_language_precedence(setting, env, expected):
    assert choose_language(setting, env) == expected


def test_profile_language_is_a_setting(tmp_path):
    path = tmp_path / "config.toml"
    assert save_setting("language", "PT_br", "main", path=path) == "pt-BR"
    assert load_settings("main", env={}, path=path).language == "pt-BR"
    with pytest.raises(ConfigError, match="'fr' is not one of en, es, pt-BR"):
        save_setting("language", "fr", "main", path=path)


def test_profile_language_wins_over_the_environment(tmp_path, monkeypatch):
    from pickterm.services import Services

    path = tmp_path / "config.toml"
    save_setting("language", "pt-BR", "main", path=path)
    monkeypatch.setenv("PICKTERM_LANG", "es")
    monkeypatch.setattr("pickterm.store.config.config_path", lambda: path)
    services = Services(profile="main")
    services.load_settings()
    assert current_language() == "pt-BR"
    assert _("Wrong item") == "Item errado"


# ---------------------------------------------------------------- the catalogs


@pytest.mark.parametrize("language", list(CATALOGS))
def test_compiled_catalog_matches_its_po_file(language):
    """The shipped .mo is the .po as it is (``python tests/catalogs.py compile`` after an edit)."""
    assert mo_path(language).read_bytes() == compile_mo(read_po(po_path(language)))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", list(CATALOGS))
def test_catalog_is_complete(language):
    """Every sentence marked in pickterm/ is in the catalog and translated, with the same
    placeholders (``python tests/catalogs.py update`` brings new ones in)."""
    catalog = read_po(po_path(language))
    marked = extract()
    missing = sorted(set(marked) - set(catalog.entries))
    assert not missing, f"not in the {language} catalog: {missing[:10]}"
    untranslated = sorted(m for m in marked if not catalog.entries[m])
    assert not untranslated, f"untranslated in {language}: {untranslated[:10]}"
    wrong = [m for m in marked if _fields(m) != _fields(catalog.entries[m])]
    assert not wrong, f"placeholders differ in {language}: {wrong[:5]}"
    obsolete = sorted(set(catalog.entries) - set(marked))
    assert not obsolete, f"no longer in pickterm/, still in {language}: {obsolete[:10]}"


@pytest.mark.parametrize("language", list(CATALOGS))
def test_plural_entries_are_complete(language):
    """Every ``ngettext(singular, plural, n)`` is in the catalog with its plural, both forms
    translated, each with the placeholders of the English sentences; none left over."""
    catalog = read_po(po_path(language))
    marked = extract_plurals()
    assert marked, "no sentence uses ngettext"
    missing = sorted(m for m, (plural, _w) in marked.items() if catalog.plurals.get(m, ("",))[0] != plural)
    assert not missing, f"not in the {language} catalog with its plural: {missing[:10]}"
    untranslated = sorted(m for m in marked if len(catalog.plurals[m][1]) != 2 or not all(catalog.plurals[m][1]))
    assert not untranslated, f"a plural form untranslated in {language}: {untranslated[:10]}"
    wrong = [
        m
        for m, (plural, _w) in marked.items()
        if any(_fields(form) != _fields(m) | _fields(plural) for form in catalog.plurals[m][1])
    ]
    assert not wrong, f"placeholders differ in {language}: {wrong[:5]}"
    obsolete = sorted(set(catalog.plurals) - set(marked))
    assert not obsolete, f"no longer in pickterm/, still in {language}: {obsolete[:10]}"
    both = sorted(set(marked) & set(extract()))
    assert not both, f"marked both with and without a plural: {both[:5]}"


@pytest.mark.parametrize(
    ("language", "header"),
    [("es", "Plural-Forms: nplurals=2; plural=(n != 1);"), ("pt-BR", "Plural-Forms: nplurals=2; plural=(n > 1);")],
)
def test_each_catalog_says_its_plural_rule(language, header):
    assert header in read_po(po_path(language)).metadata.splitlines()


@pytest.mark.parametrize(
    ("language", "zero", "one", "two"),
    [
        ("en", "0 shipments", "1 shipment", "2 shipments"),
        ("es", "0 envíos", "1 envío", "2 envíos"),
        ("pt-BR", "0 envio", "1 envio", "2 envios"),  # Brazilian Portuguese counts 0 in the singular
    ],
)
def test_a_count_takes_the_plural_form_of_its_language(language, zero, one, two):
    set_language(language)
    forms = [ngettext("{n} shipment", "{n} shipments", n).format(n=n) for n in (0, 1, 2)]
    assert forms == [zero, one, two]
    assert ngettext("{n} item", "{n} items", 2.5).format(n=2.5) != ngettext("{n} item", "{n} items", 1).format(n=2.5)


@pytest.mark.parametrize("language", ["es", "pt-BR"])
def test_a_sentence_is_translated_at_run_time(language):
    set_language(language)
    expected = {"es": "Artículo equivocado", "pt-BR": "Item errado"}[language]
    assert _("Wrong item") == expected
    set_language("en")
    assert _("Wrong item") == "Wrong item"


# ---------------------------------------------------------------- values


def test_numbers_and_dates_in_the_users_conventions():
    from pickterm.widgets.walk_words import format_kg

    moment = datetime(2025, 2, 11, 9, 30)
    assert (format_kg(0.35), date_text(moment)) == ("0.350 kg", "2025-02-11 09:30")
    for language in ("es", "pt-BR"):
        set_language(language)
        assert (format_kg(0.35), decimal("12.5"), date_text(moment)) == ("0,350 kg", "12,5", "11/02/2025 09:30")


def test_no_sentence_is_built_from_fragments():
    """Translators reorder words: a sentence is one msgid with named placeholders, never
    positional ones (``{}``) that a translation could not move."""
    positional = [m for m in extract() if re.search(r"\{\}|\{\d", m)]
    assert not positional


# ---------------------------------------------------------------- the command line


def test_the_command_lines_words_follow_the_locale_and_its_json_does_not(capsys, monkeypatch):
    from pickterm.cli import main

    monkeypatch.setenv("LANG", "pt_BR.UTF-8")
    assert main(["--demo", "outbox", "list"]) == 0
    assert capsys.readouterr().out == "A caixa de saída está vazia.\n"
    monkeypatch.setenv("PICKTERM_LANG", "es")  # wins over the locale
    assert main(["--demo", "outbox", "list"]) == 0
    assert capsys.readouterr().out == "La bandeja de salida está vacía.\n"
    assert main(["--demo", "outbox", "list", "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_config_show_speaks_the_profiles_language_with_the_keys_as_they_are(capsys, tmp_path, monkeypatch):
    from pickterm.cli import main

    path = tmp_path / "config.toml"
    save_setting("language", "es", "main", path=path)
    save_setting("default_profile", "main", path=path)
    monkeypatch.setattr("pickterm.store.config.config_path", lambda: path)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# perfil main (según default_profile); archivo ")
    assert "api_key = (sin definir)  # por defecto" in out and "language = es  # file" in out


# ---------------------------------------------------------------- nothing left in English by accident

# Where the UI puts words on screen: a literal string there is a sentence nobody translates.
_SINK_CALLS = {"notify", "Static", "Content", "styled", "show_message", "show_nothing", "Label", "Option"}
_SINK_CALLS |= {"FormField", "ConfirmScreen", "_say", "_feedback", "styled_literal", "set_subtitle", "labelled"}
_SINK_CALLS |= {"heading", "show_error", "StateError"}
_SINK_KEYWORDS = {"placeholder", "title", "hint", "yes", "no", "subtitle"}
_SINK_NAMES = {"border_title", "border_subtitle", "TITLE", "HELP", "LEAVE_QUESTION", "NOT_COUNTED_HINT"}
# Not words: the app's name, a key, a symbol, a code's label as the barcode calls it.
_NOT_WORDS = {"pickterm", "(a)", "EAN", "ℹ", "bold", "dim", "italic"}


def _wording(node) -> bool:
    """A literal (or f-string) with a word in it."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
    elif isinstance(node, ast.JoinedStr):
        text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant)).strip()
    else:
        return False
    return text not in _NOT_WORDS and bool(re.search(r"[A-Za-z]{2}", text))


def test_no_user_facing_literal_is_left_untranslated():
    """Every literal the UI shows is marked (``_()`` / ``N_()``), so the catalog test sees it."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "pickterm"
    left = []
    for path in sorted(root.rglob("*.py")):
        if "sandbox" in path.parts:  # the demo's own data (names, addresses) is server text
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            shown = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in _SINK_CALLS and node.args:
                    shown.append(node.args[0])
                shown += [kw.value for kw in node.keywords if kw.arg in _SINK_KEYWORDS]
            elif isinstance(node, ast.Assign):
                names = [t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in node.targets]
                if _SINK_NAMES & set(names):
                    shown.append(node.value)
            left += [f"{path.relative_to(root.parent)}:{node.lineno}" for value in shown if _wording(value)]
    assert not left, f"shown but not marked for translation: {left}"


def test_no_function_hides_the_translation_function():
    """A function that binds ``_`` (``a, _, b = ...``, a parameter) and calls ``_()`` would crash
    when it calls it: the name must stay the translation function's."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "pickterm"
    bad = []
    for path in sorted(root.rglob("*.py")):
        for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(func))
            binds = any(a.arg == "_" for a in func.args.args + func.args.kwonlyargs) or any(
                isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in nodes
            )
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in nodes)
            if binds and calls:
                bad.append(f"{path.relative_to(root.parent)}:{func.lineno} {func.name}")
    assert not bad

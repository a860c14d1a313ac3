"""What was still English, or wrongly plural, in Spanish and Brazilian Portuguese: counts in the
plural form of the language, the outbox's rows, the headers' status, the palette, Textual's own
help rows, the demo's data, date errors, and words cut at 40 columns."""

from __future__ import annotations

import pytest

from pickterm.api.models import TrackingEvent, TrackingUpdate
from pickterm.app import PickTermApp
from pickterm.i18n import set_language
from pickterm.sandbox import data

from apphelpers import open_screen, settle, static_text, terminal_text, text_of

ONE_EVENT = TrackingUpdate(
    delivered_date="2025-02-11T10:00:00Z",
    events=[TrackingEvent(city="Ciudad de México", state="CDMX", description="x", date="2025-02-11T09:00:00Z")],
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "1 surtido · 4 por surtir"),
        ("pt-BR", "1 separado · 4 a separar"),
    ],
)
async def test_an_orders_item_counts_take_the_plural_form_of_the_count(language, expected):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "order", data.ORDER_COP)
        shown = text_of(app.screen)
        assert "1 surtidos" not in shown and "1 separados" not in shown
        first, second = expected.split(" · ")
        assert first in shown and second in shown


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["entregado 2025-02-11T10:00:00.000Z, 1 evento", "servidor: entregado"]),
        ("pt-BR", ["entregue 2025-02-11T10:00:00.000Z, 1 evento", "servidor: entregue"]),
    ],
)
async def test_the_outboxs_rows_say_delivered_and_one_event_in_the_users_words(language, words):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        outcome = await app.outbox.submit(await app.client(), data.ORDER_ON_ROUTE, ONE_EVENT)
        assert outcome.state == "sent"
        screen = await open_screen(pilot, "outbox")
        await pilot.press("h")
        await settle(pilot)
        shown = text_of(screen)
        for word in words:
            assert word in shown
        assert "delivered" not in shown and "1 event" not in shown.replace("1 evento", "")
        assert "1 eventos" not in shown


async def test_the_home_header_follows_a_live_switch_of_language():
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        assert "scan or type an id" in static_text(app, "#header-subtitle")
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Language: Español"].callback()
        await settle(pilot)
        await pilot.pause()
        assert static_text(app, "#header-subtitle") == "escanea o escribe un id"
        assert "Búsqueda" in static_text(app, "#header-title")


@pytest.mark.parametrize(
    ("language", "opener", "ident", "header"),
    [
        ("es", "order", data.ORDER_COP, f"{data.ORDER_COP} · ▶ EN PROCESO"),
        ("pt-BR", "order", data.ORDER_COP, f"{data.ORDER_COP} · ▶ EM ANDAMENTO"),
        ("es", "shipment", data.SHIP_INCIDENT, "· ✘ INCIDENCIA"),
    ],
)
async def test_a_screens_header_shows_the_status_in_the_users_words(language, opener, ident, header):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, opener, ident)
        shown = static_text(app, "#header-subtitle")
        assert header in shown and "_" not in shown


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["'2025-02-30 10:00' no es una fecha y hora válida: usa now, YYYY-MM-DD HH:MM (hora local)", "1 campo"]),
        (
            "pt-BR",
            ["'2025-02-30 10:00' não é uma data e hora válida: use now, YYYY-MM-DD HH:MM (hora local)", "1 campo"],
        ),
    ],
)
@pytest.mark.usefixtures("utc", "frozen_now")
async def test_a_malformed_date_is_refused_in_the_users_words(language, words):
    from pickterm.widgets.fields import FormField

    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        screen = await open_screen(pilot, "track", data.ORDER_ON_ROUTE, None)
        delivered = screen.query_one("#delivered", FormField)
        delivered.input.value = "2025-02-30 10:00"
        await pilot.pause()
        shown = text_of(screen)
        for word in words:
            assert word in shown
        assert "is not a valid date" not in shown


def test_the_command_line_says_a_malformed_date_in_the_users_words(capsys, monkeypatch):
    from pickterm.cli import main

    monkeypatch.setenv("PICKTERM_LANG", "pt-BR")
    assert main(["--demo", "track", data.ORDER_ON_ROUTE, "--delivered", "ontem"]) != 0
    err = capsys.readouterr().err
    assert "'ontem' não é uma data e hora: use now, YYYY-MM-DD HH:MM (hora local)" in err
    assert main(["--demo", "track", data.ORDER_ON_ROUTE, "--event", "Lima|LIM"]) != 0
    assert "esperado CITY|STATE|DESCRIPTION|DATE (4 partes separadas por |), vieram 2" in capsys.readouterr().err


@pytest.mark.parametrize(("language", "placeholder"), [("es", "Buscar comandos…"), ("pt-BR", "Buscar comandos…")])
async def test_the_command_palette_asks_in_the_users_language(language, placeholder):
    from textual.command import CommandInput, CommandPalette

    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == placeholder


@pytest.mark.parametrize(
    ("language", "rows"),
    [
        ("es", ["Ir al siguiente", "Ir al anterior", "Copiar el texto seleccionado"]),
        ("pt-BR", ["Ir para o próximo", "Ir para o anterior", "Copiar o texto selecionado"]),
    ],
)
async def test_the_help_shows_textuals_own_keys_in_the_users_language(language, rows):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        shown = static_text(app, "#help-text")
        for row in rows:
            assert f"  {row}" in shown
        assert "Focus Next" not in shown and "Copy selected text" not in shown
        titles = {command.title for command in app.get_system_commands(app.screen.for_screen)}
        assert rows[2] in titles and "Copy selected text" not in titles


@pytest.mark.parametrize("language", ["es", "pt-BR"])
async def test_at_40_columns_the_footer_shows_only_whole_keys(language):
    from textual.widgets._footer import FooterKey

    from pickterm.widgets.footer import AppFooter

    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        for opener, args in (("worksheet", (data.WS_MAIN,)), ("track", (data.ORDER_ON_ROUTE, None))):
            await open_screen(pilot, opener, *args)
            await pilot.pause()
            await pilot.pause()
            footer = app.screen.query_one(AppFooter)
            palette = footer.query_one(".-command-palette", FooterKey)
            shown = [key for key in footer.children if key.display and key is not palette]
            assert shown, "no key at all"
            for key in shown:
                assert key.region.right <= palette.region.x, f"{key} is cut"
            hidden = [key for key in footer.children if not key.display]
            assert hidden, "at 40 columns some keys do not fit"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert len([key for key in footer.children if key.display]) > len(shown)  # room again: shown again


async def test_a_toast_covers_its_last_cell():
    from textual.widgets._toast import Toast

    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16), notifications=True) as pilot:
        await settle(pilot)
        app.notify("Nada que enviar: indica una fecha de entrega y/o un evento.", title="Rastreo", timeout=30)
        await pilot.pause()
        await pilot.pause()
        toast = app.screen.query_one(Toast)
        assert toast.region.right == 40


@pytest.mark.parametrize(
    ("language", "home", "walk", "shipment"),
    [
        (
            "es",
            ["pedido, sin facturar (rastreo rechazado)", "hoja de surtido, 38 artículos de 4 pedidos"],
            ["Frutas y verduras", "Los fríos al final; usa las cajas azules"],
            ["Dejar con el conserje del edificio", "Entregado al conserje", "Caja"],
        ),
        (
            "pt-BR",
            ["pedido, não faturado (rastreio recusado)", "lista de separação, 38 itens de 4 pedidos"],
            ["Hortifrúti", "Itens refrigerados por último; use as caixas azuis"],
            ["Deixar com o porteiro do prédio", "Entregue ao porteiro", "Caixa"],
        ),
    ],
)
async def test_the_demo_describes_its_data_in_the_users_language(language, home, walk, shipment):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = text_of(app.screen)
        for words in home:
            assert words in shown
        assert "order, not invoiced" not in shown
        await open_screen(pilot, "worksheet", data.WS_MAIN)
        shown = text_of(app.screen)
        for words in walk:
            assert words in shown
        assert "Fruits & Vegetables" not in shown
        await open_screen(pilot, "shipment", data.SHIP_DELIVERED)
        shown = text_of(app.screen)
        for words in shipment:
            assert words in shown
        assert "concierge" not in shown


async def test_on_a_handheld_the_header_leaves_out_a_part_that_does_not_fit_whole():
    set_language("pt-BR")
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "order", data.ORDER_REPLACED)
        await pilot.pause()
        assert static_text(app, "#header-subtitle") == data.ORDER_REPLACED  # not "… · ✔ EMB…"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert static_text(app, "#header-subtitle") == f"{data.ORDER_REPLACED} · ✔ EMBALADO"


@pytest.mark.parametrize("language", ["es", "pt-BR"])
async def test_on_a_handheld_the_auto_refresh_line_wraps_at_a_word(language):
    set_language(language)
    app = PickTermApp(demo=True)
    async with app.run_test(size=(40, 16)) as pilot:
        await open_screen(pilot, "shipment", data.SHIP_ON_ROUTE)
        await pilot.pause()
        shown = terminal_text(app)
        assert "(a)" in shown and {"es": "apagada", "pt-BR": "desligada"}[language] in shown

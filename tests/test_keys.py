"""Keys by binding id: the no-fkeys preset walks a worksheet without a single F-key, a profile
remaps keys (the footer, the help and the palette show them), and a keymap that would put two
actions on one key, or a printable key the scanner types, never starts."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, OptionList

from pickterm.app import PickTermApp
from pickterm.cli import build_app_parser, main
from pickterm.commands.app import run_app
from pickterm.keymap import BINDINGS, NO_FKEYS, KeymapError, is_printable, resolve
from pickterm.sandbox import data
from pickterm.screens.help import HelpScreen
from pickterm.screens.lookup import LookupScreen
from pickterm.screens.walkthrough_dialogs import ItemListDialog, ScanErrorDialog, ShortReasonDialog, SummaryDialog
from pickterm.store.config import ConfigError, load_settings

from apphelpers import BANANAS, SPINACH, ean, open_walk, static_text, units, walk, wedge, write_config


def footer_text(screen) -> str:
    return " ".join(str(w.render()) for w in screen.query("FooterKey, FooterLabel"))


# ---------------------------------------------------------------- the no-fkeys preset


async def test_the_walk_under_no_fkeys_needs_no_function_key():
    write_config('[profiles.default]\nkeymap = "no-fkeys"\n')
    app = PickTermApp(demo=True, keymap=load_settings().key_bindings())
    async with app.run_test(size=(40, 16)) as pilot:
        screen = await open_walk(pilot)
        # The footer leads with the keys a keyboard without F-keys has, in the walk's own order.
        shown = footer_text(screen)
        words = shown.split()
        assert words[:2] == ["^l", "Items"] and "f4" not in words, shown
        assert words.index("Skip") < words.index("Short") < words.index("Undo") < words.index("Summary")
        # Scan right.
        await wedge(pilot, ean(app.sandbox, SPINACH))
        assert units(app, SPINACH) == 1
        assert static_text(app, "#item-name").startswith("Bananas")
        # Scan wrong, then Esc acknowledges it: nothing counted.
        await wedge(pilot, ean(app.sandbox, "201"))
        assert isinstance(app.screen, ScanErrorDialog)
        await pilot.press("escape")
        await pilot.pause()
        walk(app)
        assert units(app, BANANAS) == 0
        # Short with a reason (alt+s), then skip (ctrl+t), previous (ctrl+y), next (ctrl+n).
        await pilot.press("alt+s")
        await pilot.pause()
        assert isinstance(app.screen, ShortReasonDialog)
        await pilot.press("2", "enter")  # damaged
        await pilot.pause()
        saved = app.state.load_progress(data.WS_MAIN).item(BANANAS)
        assert (saved.state, saved.reason) == ("short", "damaged")
        current = static_text(app, "#item-name")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "Skipped" in static_text(app, "#walk-feedback") and static_text(app, "#item-name") != current
        after_skip = static_text(app, "#item-name")
        await pilot.press("ctrl+y")  # previous: the bananas (the skipped avocados went to the end)
        await pilot.pause()
        assert static_text(app, "#item-name").startswith("Bananas")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert static_text(app, "#item-name") == after_skip
        # The item list opens and closes with ctrl+l.
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, ItemListDialog) and app.screen.query_one(OptionList).option_count == 38
        await pilot.press("ctrl+l")
        await pilot.pause()
        walk(app)
        # The summary (alt+e) says what became of each item.
        await pilot.press("alt+e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SummaryDialog)
        summary = str(dialog.query_one("#summary-text").render())
        assert "✘ 1 short" in summary and "damaged" in summary and "» 1 skipped" in summary
        await pilot.press("escape")
        await pilot.pause()
        # Help (ctrl+g) lists the keys in effect; home (ctrl+o) leaves the walk.
        await pilot.press("ctrl+g")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = static_text(app, "#help-text")
        assert "^t/f8  Skip" in text and "alt+s/f9  Short" in text and "^o/f2  Home" in text
        await pilot.press("ctrl+g")
        await pilot.pause()
        walk(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, LookupScreen)


def test_no_fkeys_covers_every_f_key_action_with_keys_that_pass_ssh_tmux_and_the_scan_field():
    keymap = resolve("no-fkeys")
    scan_field_keys = {k.strip() for b in Input.BINDINGS for k in b.key.split(",")}  # type: ignore[union-attr]
    flow_control_and_tmux = {"ctrl+s", "ctrl+q", "ctrl+b"}
    read_as_word_moves = {"alt+b", "alt+f"}  # ESC b / ESC f arrive as ctrl+left / ctrl+right
    same_as_typing = {"ctrl+h", "ctrl+i", "ctrl+j", "ctrl+m"}  # backspace, tab, enter
    for binding_id, definition in BINDINGS.items():
        if definition.fixed or not any(k.startswith("f") and k[1:].isdigit() for k in definition.keys):
            continue
        other = [k for k in keymap.keys_of(binding_id) if not (k.startswith("f") and k[1:].isdigit())]
        assert other, f"{binding_id} is on F-keys only"
        if binding_id in NO_FKEYS:
            for key in NO_FKEYS[binding_id]:
                assert key.startswith(("ctrl+", "alt+")) and len(key.split("+")[1]) == 1, key
                assert key not in scan_field_keys | flow_control_and_tmux | same_as_typing | read_as_word_moves, key
                assert not is_printable(key)


# ---------------------------------------------------------------- a profile's keys


async def test_remapped_keys_show_in_the_footer_the_help_and_the_palette():
    write_config('[profiles.default.keys]\n"walk.short" = "ctrl+k"\nhelp = ["ctrl+g"]\n')
    app = PickTermApp(demo=True, keymap=load_settings().key_bindings())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_walk(pilot)
        assert "^k Short" in footer_text(screen)
        palette = {c.title: c.help for c in app.get_system_commands(screen)}
        assert palette["Short"].startswith("^k ·") and palette["Help"].startswith("^g ·")
        await pilot.press("f9")  # no longer a key of the walk
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = static_text(app, "#help-text")
        assert "^k  Short" in text and "^g  Help" in text and "f9" not in text
        await pilot.press("ctrl+g", "ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, ShortReasonDialog)


def test_two_actions_on_one_key_is_a_config_error_naming_both():
    write_config('[profiles.default.keys]\n"walk.skip" = "f9"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "'walk.short'" in str(caught.value) and "'walk.skip'" in str(caught.value) and "'f9'" in str(caught.value)
    # A global key meets every screen's keys; the preset's keys count too.
    with pytest.raises(KeymapError, match="'help'.*'walk.summary'|'walk.summary'.*'help'"):
        resolve(None, {"help": "f12"})
    with pytest.raises(KeymapError, match="'walk.list'.*'walk.next'|'walk.next'.*'walk.list'"):
        resolve("no-fkeys", {"walk.next": "ctrl+l"})
    # Keys on different screens do not meet.
    assert resolve(None, {"walk.next": "ctrl+n"}).keys_of("walk.next") == ("ctrl+n",)


def test_unknown_ids_fixed_bindings_and_bad_key_names_are_refused():
    for table, says in (
        ('"walk.jump" = "ctrl+j"', "unknown binding id 'walk.jump'"),
        ('"walk.tab" = "ctrl+n"', "'walk.tab' cannot be remapped"),
        ('"walk.short" = "ctrl+banana"', "is not a key name"),
        ('"walk.short" = 3', "must be a key or a list of keys"),
        ('allow_printable = ["nope"]', "unknown binding id 'nope'"),
    ):
        write_config(f"[profiles.default.keys]\n{table}\n")
        with pytest.raises(ConfigError, match="profile 'default'") as caught:
            load_settings()
        assert says in str(caught.value), table
    write_config('[profiles.default]\nkeymap = "no-thanks"\n')
    with pytest.raises(ConfigError, match="not one of default, no-fkeys"):
        load_settings()


def test_a_key_a_terminal_sends_as_another_key_is_refused_saying_why():
    for key, says in (
        ("ctrl+m", "it is Enter"),
        ("Ctrl+M", "it is Enter"),
        ("ctrl+j", "line feed"),
        ("ctrl+i", "it is Tab"),
        ("ctrl+h", "it is Backspace"),
        ("ctrl+[", "it is Esc"),
        ("ctrl+left_square_bracket", "it is Esc"),
    ):
        write_config(f'[profiles.default.keys]\n"walk.skip" = ["f8", "{key}"]\n')
        with pytest.raises(ConfigError, match="profile 'default'") as caught:
            load_settings()
        message = str(caught.value)
        assert "'walk.skip'" in message and "can never fire" in message and says in message, key
    # Other ctrl keys are keys of their own.
    write_config('[profiles.default.keys]\n"walk.skip" = "ctrl+t"\n')
    assert load_settings().key_bindings().keys_of("walk.skip") == ("ctrl+t",)


def test_a_printable_key_is_refused_unless_chosen_deliberately(capsys):
    write_config('[profiles.default.keys]\n"walk.skip" = "s"\n')
    with pytest.raises(ConfigError, match="printable character the scan field needs.*allow_printable"):
        load_settings()
    write_config('[profiles.default.keys]\n"walk.skip" = ["s", "f8"]\nallow_printable = ["walk.skip"]\n')
    keymap = load_settings().key_bindings()
    assert keymap.keys_of("walk.skip") == ("s", "f8") and keymap.printable == {"walk.skip"}
    assert main(["keys"]) == 0
    line = next(li for li in capsys.readouterr().out.splitlines() if li.startswith("walk.skip "))
    assert "s, f8" in line and "PRINTABLE KEY" in line


def test_pickterm_keymap_chooses_the_preset_and_the_app_never_starts_with_a_conflict(monkeypatch, capsys):
    monkeypatch.setenv("PICKTERM_KEYMAP", "no-fkeys")
    assert load_settings().key_bindings().keys_of("walk.list") == ("ctrl+l", "f4")
    write_config('[profiles.default.keys]\n"walk.skip" = "ctrl+l"\n')  # free alone, not with the preset
    with pytest.raises(ConfigError, match="PICKTERM_KEYMAP.*'walk.list'"):
        load_settings()
    for demo in (True, False):
        args = build_app_parser().parse_args(["--demo"] if demo else [])
        assert run_app(args) == 2
        assert "'walk.skip'" in capsys.readouterr().err


# ---------------------------------------------------------------- pickterm keys


def test_pickterm_keys_lists_every_id_with_its_keys_in_effect(capsys):
    write_config('[profiles.handheld]\nkeymap = "no-fkeys"\n[profiles.handheld.keys]\n"walk.undo" = "ctrl+u"\n')
    assert main(["keys"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "# profile default, keymap default"
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(rows) == set(BINDINGS)
    assert rows["walk.short"].split()[1:3] == ["f9", "Short"]
    assert main(["keys", "--profile", "handheld"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert (
        "alt+s, f9" in rows["walk.short"]
        and "ctrl+u" in rows["walk.undo"]
        and "set in the profile" in rows["walk.undo"]
    )
    assert "from the keymap no-fkeys" in rows["walk.short"]
    assert main(["--profile", "handheld", "keys", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_id = {row["id"]: row for row in doc["bindings"]}
    assert doc["keymap"] == "no-fkeys" and by_id["walk.list"]["keys"] == ["ctrl+l", "f4"]
    assert by_id["walk.tab"]["fixed"] is True and by_id["walk.undo"]["source"] == "profile"
    # A broken keymap is one line and exit 2, as for the app.
    write_config('[profiles.default.keys]\n"walk.skip" = "f9"\n')
    assert main(["keys"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'walk.skip'" in err and "'walk.short'" in err


def test_config_set_keymap_chooses_the_preset_and_config_show_says_so(capsys):
    assert main(["config", "set", "keymap", "no-fkeys"]) == 0
    assert main(["config", "show"]) == 0
    assert "keymap = no-fkeys  # file" in capsys.readouterr().out
    assert main(["keys", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["keymap"] == "no-fkeys"
    assert main(["config", "set", "keymap", "no-mouse"]) == 2
    assert "not one of default, no-fkeys" in capsys.readouterr().err


def test_the_readme_table_is_the_preset():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    keys = readme.split("### Keys", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in keys.splitlines() if line.startswith("| ") and "`" in line]
    table = {cells[1].strip().strip("`"): cells[3].split("(")[0].strip() for cells in rows}
    for binding_id, added in NO_FKEYS.items():
        assert table[binding_id] == ", ".join(added), binding_id
    # Every F-key action is in the table (the dialogs' F3 goes with their Esc).
    for binding_id, definition in BINDINGS.items():
        if any(k.startswith("f") and k[1:].isdigit() for k in definition.keys) and "escape" not in definition.keys:
            assert binding_id in table, binding_id

"""The translation catalogs: extract the UI's sentences, keep the .po files in step, compile .mo.

Pure standard library, so neither the tests nor a person updating a catalog need a tool:

    python tests/catalogs.py update   # new sentences into every .po (empty), obsolete ones out, .mo compiled
    python tests/catalogs.py compile  # only the .mo files, from the .po files

Extraction reads every module of ``pickterm/`` with ``ast``: the first argument of a call to
``_`` or ``N_`` that is a literal string is a sentence of the catalog.
"""

from __future__ import annotations

import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pickterm"
LOCALE = PACKAGE / "locale"
CATALOGS = {"es": LOCALE / "es" / "LC_MESSAGES", "pt-BR": LOCALE / "pt_BR" / "LC_MESSAGES"}


def extract(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Every sentence marked with ``_()`` or ``N_()``, with where it is (``path:line``)."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(where)
    return found


@dataclass
class Catalog:
    header: str  # the comment lines before the first entry (the glossary), and the header's msgstr
    metadata: str
    entries: dict[str, str] = field(default_factory=dict)  # msgid -> msgstr ("" untranslated)


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def read_po(path: Path) -> Catalog:
    """A .po file as this project writes it (no plurals, no contexts)."""
    comments: list[str] = []
    entries: dict[str, str] = {}
    metadata = ""
    key: str | None = None
    msgid = msgstr = ""
    started = False

    def flush() -> None:
        nonlocal metadata
        if key is None:
            return
        if msgid == "":
            metadata = msgstr
        else:
            entries[msgid] = msgstr

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if not started:
                comments.append(line)
            continue
        if line.startswith("msgid "):
            flush()
            started = True
            key, msgid, msgstr = "msgid", _unquote(line[6:]), ""
        elif line.startswith("msgstr "):
            key, msgstr = "msgstr", _unquote(line[7:])
        elif line.startswith('"'):
            if key == "msgid":
                msgid += _unquote(line)
            else:
                msgstr += _unquote(line)
    flush()
    return Catalog("\n".join(comments), metadata, entries)


def write_po(path: Path, catalog: Catalog, where: dict[str, list[str]]) -> None:
    lines = [catalog.header, 'msgid ""', 'msgstr ""']
    lines += [_quote(part) for part in catalog.metadata.splitlines(keepends=True)]
    for msgid, msgstr in catalog.entries.items():
        lines.append("")
        lines += [f"#: {w}" for w in where.get(msgid, [])[:3]]
        lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(msgstr)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def compile_mo(catalog: Catalog) -> bytes:
    """The GNU .mo file of a catalog (untranslated entries left out, as msgfmt does)."""
    pairs = sorted([("", catalog.metadata)] + [(k, v) for k, v in catalog.entries.items() if v])
    ids = [k.encode() for k, _ in pairs]
    strs = [v.encode() for _, v in pairs]
    count = len(pairs)
    ids_start = 7 * 4 + count * 16
    offsets: list[int] = []
    blob = b""
    for data in ids + strs:
        offsets += [len(data), ids_start + len(blob)]
        blob += data + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    return header + struct.pack(f"<{4 * count}I", *offsets) + blob


def mo_path(language: str) -> Path:
    return CATALOGS[language] / "pickterm.mo"


def po_path(language: str) -> Path:
    return CATALOGS[language] / "pickterm.po"


def update() -> None:
    where = extract()
    for language in CATALOGS:
        catalog = read_po(po_path(language))
        catalog.entries = {msgid: catalog.entries.get(msgid, "") for msgid in sorted(where)}
        write_po(po_path(language), catalog, where)
    compile_all()


def compile_all() -> None:
    for language in CATALOGS:
        mo_path(language).write_bytes(compile_mo(read_po(po_path(language))))


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1]]()

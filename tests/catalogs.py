"""The translation catalogs: extract the UI's sentences, keep the .po files in step, compile .mo.

Pure standard library, so neither the tests nor a person updating a catalog need a tool:

    python tests/catalogs.py update   # new sentences into every .po (empty), obsolete ones out, .mo compiled
    python tests/catalogs.py compile  # only the .mo files, from the .po files

Extraction reads every module of ``pickterm/`` with ``ast``: the first argument of a call to
``_`` or ``N_`` that is a literal string is a sentence of the catalog; the first two of a call to
``ngettext`` are a sentence with a plural (``msgid_plural``, ``msgstr[0]``, ``msgstr[1]``).
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


def extract_plurals(package: Path = PACKAGE) -> dict[str, tuple[str, list[str]]]:
    """Every ``ngettext(singular, plural, n)`` sentence: singular -> (plural, where it is)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ngettext"
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
            ):
                singular, plural = node.args[0].value, node.args[1].value  # type: ignore[attr-defined]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(singular, (plural, []))[1].append(where)
    return found


@dataclass
class Catalog:
    header: str  # the comment lines before the first entry (the glossary), and the header's msgstr
    metadata: str
    entries: dict[str, str] = field(default_factory=dict)  # msgid -> msgstr ("" untranslated)
    # msgid -> (msgid_plural, [msgstr[0], msgstr[1]]) ("" untranslated)
    plurals: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def read_po(path: Path) -> Catalog:
    """A .po file as this project writes it (plurals with two forms, no contexts)."""
    comments: list[str] = []
    entries: dict[str, str] = {}
    plurals: dict[str, tuple[str, list[str]]] = {}
    metadata = ""
    key: str | None = None
    msgid = msgid_plural = ""
    msgstrs: dict[int, str] = {}
    started = False

    def flush() -> None:
        nonlocal metadata
        if key is None:
            return
        if msgid == "":
            metadata = msgstrs.get(0, "")
        elif msgid_plural:
            plurals[msgid] = (msgid_plural, [msgstrs.get(i, "") for i in range(max(2, len(msgstrs)))])
        else:
            entries[msgid] = msgstrs.get(0, "")

    index = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if not started:
                comments.append(line)
            continue
        if line.startswith("msgid "):
            flush()
            started = True
            key, msgid, msgid_plural, msgstrs = "msgid", _unquote(line[6:]), "", {}
        elif line.startswith("msgid_plural "):
            key, msgid_plural = "msgid_plural", _unquote(line[13:])
        elif line.startswith("msgstr["):
            number, _, text = line[7:].partition("] ")
            key, index = "msgstr", int(number)
            msgstrs[index] = _unquote(text)
        elif line.startswith("msgstr "):
            key, index = "msgstr", 0
            msgstrs[0] = _unquote(line[7:])
        elif line.startswith('"'):
            if key == "msgid":
                msgid += _unquote(line)
            elif key == "msgid_plural":
                msgid_plural += _unquote(line)
            else:
                msgstrs[index] += _unquote(line)
    flush()
    return Catalog("\n".join(comments), metadata, entries, plurals)


def write_po(
    path: Path, catalog: Catalog, where: dict[str, list[str]], plural_where: dict[str, list[str]] | None = None
) -> None:
    plural_where = plural_where or {}
    lines = [catalog.header, 'msgid ""', 'msgstr ""']
    lines += [_quote(part) for part in catalog.metadata.splitlines(keepends=True)]
    for msgid in sorted(set(catalog.entries) | set(catalog.plurals)):
        lines.append("")
        if msgid in catalog.plurals:
            plural, msgstrs = catalog.plurals[msgid]
            lines += [f"#: {w}" for w in plural_where.get(msgid, [])[:3]]
            lines += [f"msgid {_quote(msgid)}", f"msgid_plural {_quote(plural)}"]
            lines += [f"msgstr[{i}] {_quote(text)}" for i, text in enumerate(msgstrs)]
        else:
            lines += [f"#: {w}" for w in where.get(msgid, [])[:3]]
            lines += [f"msgid {_quote(msgid)}", f"msgstr {_quote(catalog.entries[msgid])}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def compile_mo(catalog: Catalog) -> bytes:
    """The GNU .mo file of a catalog (untranslated entries left out, as msgfmt does). A plural
    entry is ``singular\\0plural`` -> ``form0\\0form1``."""
    pairs = [("", catalog.metadata)] + [(k, v) for k, v in catalog.entries.items() if v]
    pairs += [(f"{k}\0{p}", "\0".join(forms)) for k, (p, forms) in catalog.plurals.items() if all(forms)]
    pairs.sort(key=lambda pair: pair[0].encode())
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
    plurals = extract_plurals()
    for language in CATALOGS:
        catalog = read_po(po_path(language))
        catalog.entries = {msgid: catalog.entries.get(msgid, "") for msgid in sorted(where)}
        kept = catalog.plurals
        catalog.plurals = {
            msgid: (plural, kept[msgid][1] if msgid in kept and kept[msgid][0] == plural else ["", ""])
            for msgid, (plural, _) in sorted(plurals.items())
        }
        write_po(po_path(language), catalog, where, {msgid: w for msgid, (_, w) in plurals.items()})
    compile_all()


def compile_all() -> None:
    for language in CATALOGS:
        mo_path(language).write_bytes(compile_mo(read_po(po_path(language))))


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1]]()

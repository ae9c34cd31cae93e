"""Reading and writing Qt Linguist .ts files, and the pending .tsv files helpers leave for them. Qt-free (stdlib
XML), so the kiosk can read the translation pairs at run time and the checks can run without a screen."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TS_PATH = HERE / "zhoudaoban_en.ts"
QM_PATH = HERE / "zhoudaoban_en.qm"
PENDING_DIR = HERE / "pending"


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translation: str
    finished: bool   # not marked unfinished, and not empty

    @property
    def done(self) -> bool:
        return self.finished and bool(self.translation)


@dataclass(frozen=True)
class PendingLine:
    file: str
    line: int
    context: str
    source: str
    translation: str


def read_messages(path: Path = TS_PATH) -> list[Message]:
    """Every live message (obsolete and vanished ones are history, not translations)."""
    if not Path(path).exists():
        return []
    root = ET.parse(path).getroot()
    found: list[Message] = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            node = message.find("translation")
            kind = node.get("type", "") if node is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            text = _text_of(node)
            found.append(Message(name, message.findtext("source") or "", text, kind != "unfinished"))
    return found


def fill(path: Path, translations: dict[tuple[str, str], str], by_source: dict[str, str]) -> tuple[int, set]:
    """Write translations into the .ts at `path`: by (context, source) first, else by source alone into messages
    still untranslated. Returns how many messages changed and which keys of `translations` and `by_source` were
    used."""
    tree = ET.parse(path)
    changed, used = 0, set()
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            node = message.find("translation")
            if node is None or node.get("type") in ("obsolete", "vanished"):
                continue
            if (name, source) in translations:
                text, key = translations[(name, source)], (name, source)
            elif source in by_source and (node.get("type") == "unfinished" or not _text_of(node)):
                text, key = by_source[source], source   # never over a translation made for this context
            else:
                continue
            used.add(key)
            if _text_of(node) != text or node.get("type") == "unfinished":
                _set_text(node, text)
                node.attrib.pop("type", None)
                changed += 1
    if changed:
        write(tree, path)
    return changed, used


def _text_of(node: ET.Element | None) -> str:
    """A translation's text; a plural message (numerus) by its forms joined with `|` (English: one|many)."""
    if node is None:
        return ""
    forms = node.findall("numerusform")
    if forms:
        texts = [f.text or "" for f in forms]
        return "|".join(texts) if any(texts) else ""
    return node.text or ""


def _set_text(node: ET.Element, text: str) -> None:
    forms = node.findall("numerusform")
    if not forms:
        node.text = text
        return
    parts = text.split("|")
    for index, form in enumerate(forms):
        form.text = parts[min(index, len(parts) - 1)]


def write(tree: ET.ElementTree, path: Path) -> None:
    """Keep the file the way lupdate writes it (declaration, doctype, four-space indent), so diffs stay small."""
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode", short_empty_elements=True)
    Path(path).write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def unescape(text: str) -> str:
    r"""A .tsv cell: `\n` is a newline, `\t` a tab, `\\` a backslash."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "nt\\":
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def read_pending(directory: Path = PENDING_DIR) -> tuple[list[PendingLine], list[str]]:
    """The pending lines of every .tsv, and the problems found (a bad line is reported, never guessed at)."""
    lines, problems = [], []
    for path in sorted(Path(directory).glob("*.tsv")):
        for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            cells = raw.split("\t")
            if len(cells) != 3 or not cells[1] or not cells[2].strip():
                problems.append(f"{path.name}:{number}: want context<TAB>source<TAB>translation")
                continue
            lines.append(PendingLine(path.name, number, cells[0], unescape(cells[1]), unescape(cells[2])))
    return lines, problems

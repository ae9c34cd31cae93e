"""The static check: a Chinese string literal in ui/ that does not go through the translation system.

Allowed: literals inside tr() / translate() / QT_TRANSLATE_NOOP() / qsTr(), docstrings, comments, and
arguments of logging calls (logs are for technicians, never shown to residents). A line may say why a literal is
shown as is with the comment `i18n: as-is` (e.g. the name of a language written in that language).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP", "qsTr", "qsTranslate"}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log"}
MARK = "i18n: as-is"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: untranslated text {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_logging(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr in LOGGING and isinstance(func.value, ast.Name)
            and func.value.id in {"log", "logger", "logging", "LOG", "_log"})


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def scan_source(source: str, path: str = "<string>") -> list[Finding]:
    tree = ast.parse(source)
    lines = source.splitlines()
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (_name(node.func) in TRANSLATING or _is_logging(node)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant):
                    skip.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and HAN.search(node.value):
            line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
            if MARK not in line:
                found.append(Finding(path, node.lineno, node.value))
    return found


def scan_tree(root: Path, folders: tuple[str, ...] = ("ui",)) -> list[Finding]:
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            if path.stem == "shots" or path.stem.endswith("shots") or path.stem.startswith("shots_"):
                continue   # the screenshot tours type demo input (resident data), they show nothing of their own
            found += scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return found

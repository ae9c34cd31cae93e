"""Keep the English translation up to date: `python -m translations.update`.

1. `pyside6-lupdate` scans ui/ (every self.tr / QCoreApplication.translate / QT_TRANSLATE_NOOP / qsTr) into
   translations/zhoudaoban_en.ts, keeping the translations already there and dropping strings no longer used;
2. the pending lines other features left in translations/pending/*.tsv (`context<TAB>source<TAB>translation`)
   are written in, matched by context and source, else by source alone; a .tsv whose lines all found their
   string is deleted (its English now lives in the .ts), one with lines still unmatched is kept and named;
3. `pyside6-lrelease` compiles translations/zhoudaoban_en.qm, which is committed (the Debian package ships
   the files git tracks, and `make run` needs no extra step); a test fails if it is stale.

Prints what is still untranslated. `--check` changes nothing and exits 1 when anything is untranslated or stale.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from translations.ts import (PENDING_DIR, QM_PATH, TS_PATH, Message, PendingLine, fill, read_messages,
                             read_pending)

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("ui",)   # the only Qt room: core modules never hold resident-facing text


def tool(name: str) -> str:
    """A Qt tool of the PySide6 wheel: next to the interpreter (the venv), else on PATH."""
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: run `make setup` (it comes with PySide6)")
    return found


def source_files(root: Path = ROOT) -> list[str]:
    files = []
    for folder in SCANNED:
        for pattern in ("*.py", "*.qml"):
            files += [str(p.relative_to(root)) for p in sorted((root / folder).rglob(pattern))
                      if "__pycache__" not in p.parts]
    return files


def lupdate(ts: Path, root: Path = ROOT) -> None:
    """Scan the sources into `ts` (created or updated in place; translations kept, vanished strings dropped)."""
    result = subprocess.run([tool("pyside6-lupdate"), "-locations", "none", "-no-obsolete",
                             "-source-language", "zh_CN", "-target-language", "en_GB", *source_files(root),
                             "-ts", str(ts)], cwd=root, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"lupdate failed:\n{result.stdout}{result.stderr}")


def lrelease(ts: Path, qm: Path) -> None:
    result = subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"lrelease failed:\n{result.stdout}{result.stderr}")


def untranslated(messages: list[Message]) -> list[Message]:
    return [m for m in messages if not m.done]


def fold_pending(ts: Path, directory: Path = PENDING_DIR, remove: bool = True) -> list[PendingLine]:
    """Write the pending translations into `ts`; returns the lines whose string is not (yet) in the code."""
    lines, problems = read_pending(directory)
    for problem in problems:
        print(f"pending: skipped {problem}")
    by_key = {(p.context, p.source): p.translation for p in lines}
    by_source = {p.source: p.translation for p in lines}
    changed, used = fill(ts, by_key, by_source)
    present = {m.source for m in read_messages(ts)}
    unmatched = [p for p in lines if p.source not in present]
    print(f"pending: {len(lines)} line(s) read, {changed} translation(s) written")
    for p in lines:
        if p.source in present and (p.context, p.source) not in used and p.source not in used:
            print(f"pending: {p.file}:{p.line}: kept the translation {p.source!r} already has (context "
                  f"{p.context!r} not found)")
    if remove:
        keep = {p.file for p in unmatched} | {problem.split(":", 1)[0] for problem in problems}
        for path in sorted(Path(directory).glob("*.tsv")):
            if path.name not in keep:
                path.unlink()
                print(f"pending: {path.name} folded in and removed")
    for p in unmatched:
        print(f"pending: {p.file}:{p.line}: no such string in the code: {p.context} / {p.source}")
    return unmatched


def fresh_copy(workdir: Path) -> Path:
    """lupdate on the current tree into a copy of the committed .ts: what `update` would produce."""
    copy = workdir / TS_PATH.name
    if TS_PATH.exists():
        shutil.copyfile(TS_PATH, copy)
    lupdate(copy)
    return copy


def check() -> list[str]:
    """What is wrong with the committed translation (empty: nothing)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="zdb-ts-") as tmp:
        copy = fresh_copy(Path(tmp))
        for m in untranslated(read_messages(copy)):
            problems.append(f"untranslated: [{m.context}] {m.source!r}")
        if read_messages(copy) != read_messages(TS_PATH):
            problems.append("zhoudaoban_en.ts is not up to date with the code: run python -m translations.update")
        qm = Path(tmp) / QM_PATH.name
        lrelease(TS_PATH, qm)
        if not QM_PATH.exists() or qm.read_bytes() != QM_PATH.read_bytes():
            problems.append("zhoudaoban_en.qm is stale: run python -m translations.update")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translations.update", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is untranslated")
    parser.add_argument("--keep-pending", action="store_true", help="do not delete folded .tsv files")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    lupdate(TS_PATH)
    fold_pending(TS_PATH, remove=not args.keep_pending)
    lrelease(TS_PATH, QM_PATH)
    missing = untranslated(read_messages(TS_PATH))
    for m in missing:
        print(f"untranslated: [{m.context}] {m.source!r}")
    total = len(read_messages(TS_PATH))
    print(f"{TS_PATH.name}: {total - len(missing)} of {total} translated; {QM_PATH.name} compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())

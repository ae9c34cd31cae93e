"""Update archives for the update tests: small application trees, good ones and every kind of bad one."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

MAIN = "import sys\nprint('release running')\nsys.exit(0)\n"


def make_tree(root: Path, version: str, *, padding: int = 0, main: str = MAIN) -> Path:
    """A tree with main.py, a pyproject.toml naming `version`, a package, and `padding` incompressible bytes
    (so an archive can be made larger than a small disk)."""
    (root / "kiosk").mkdir(parents=True, exist_ok=True)
    (root / "main.py").write_text(main, encoding="utf-8")
    (root / "pyproject.toml").write_text(f'[project]\nname = "zhoudaoban"\nversion = "{version}"\n', encoding="utf-8")
    (root / "kiosk" / "__init__.py").write_text("", encoding="utf-8")
    (root / "kiosk" / "data.txt").write_text("舟到办\n" * 50, encoding="utf-8")
    if padding:
        (root / "kiosk" / "blob.bin").write_bytes(os.urandom(padding))
    return root


def tar_of(out: Path, members: list[tuple[str, bytes | None, str | None]]) -> Path:
    """A .tar.gz from (name, data, symlink target) triples, written exactly as given (bad names included)."""
    with tarfile.open(out, "w:gz") as tar:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            else:
                info.size = len(data or b"")
                tar.addfile(info, io.BytesIO(data or b""))
    return out


GOOD = [("main.py", MAIN.encode(), None), ("pyproject.toml", b'[project]\nversion = "0.2.0"\n', None)]
BAD_ARCHIVES = {
    "absolute path": ([*GOOD, ("/etc/cron.d/evil", b"* * * * * root sh", None)], "unsafe_archive"),
    "dot-dot": ([*GOOD, ("kiosk/../../outside.py", b"x", None)], "unsafe_archive"),
    "symlink out": ([*GOOD, ("kiosk/link", None, "../../../etc/passwd")], "unsafe_archive"),
    "absolute symlink": ([*GOOD, ("kiosk/link", None, "/etc/passwd")], "unsafe_archive"),
    "no main.py": ([("pyproject.toml", b'[project]\nversion = "0.2.0"\n', None)], "no_main"),
}

"""Where ESC/POS bytes go. Each transport only opens, writes and says whether it is usable (python-escpos style).

A serial or network transport (raw TCP 9100) fits the same two methods and is the next milestone.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol


class Transport(Protocol):
    name: str

    def is_usable(self) -> bool: ...

    def send(self, data: bytes, job: str) -> None:
        """Deliver one whole job or raise OSError."""


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename: a reader never sees a half-written file under `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileTransport:
    """Each job becomes `<directory>/<job>.bin` (job names are made safe and never overwrite)."""
    name = "file"

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def is_usable(self) -> bool:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.directory, os.W_OK)

    def free_stem(self, job: str) -> str:
        """A file stem for `job` that no earlier job used (a reprint gets -2, -3, ...)."""
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", job).lstrip(".") or "receipt"
        candidate, n = stem, 1
        while (self.directory / f"{candidate}.bin").exists():
            n += 1
            candidate = f"{stem}-{n}"
        return candidate

    def send(self, data: bytes, job: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.directory / f"{job}.bin", data)

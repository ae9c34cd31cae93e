"""Seal a small secret (the key ring's key-encryption key) with the machine's TPM 2.0, through tpm2-tools.

The secret is sealed under a storage primary key of the owner hierarchy that is re-derived from a fixed template
each time (same TPM, same template -> same key), so nothing is left persistent in the TPM. Only the sealed blobs
`kek.pub` and `kek.priv` are stored; they unseal on this TPM only. The secret reaches the tools through stdin and
leaves `tpm2_unseal` through its stdout pipe: never on a command line, in the environment or in a file.

Every tool runs with a timeout, so a wedged TPM fails an operation instead of hanging the kiosk. Without the kernel
resource manager (a software TPM on a socket, /dev/tpm0) the tools leave their objects and sessions loaded, so
they are flushed after each step; the resource manager does that itself when a tool closes /dev/tpmrm0.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from local_db.fsutil import atomic_write

DEVICE = Path("/dev/tpmrm0")
MAX_SECRET = 128              # bytes a sealed data object holds (MAX_SYM_DATA)
TIMEOUT_S = 20.0              # per tool; a healthy TPM takes well under a second
PRESENT_TIMEOUT_S = 5.0
PUB, PRIV = "kek.pub", "kek.priv"
_PRIMARY = "primary.ctx"      # context files live in a private temporary directory, removed after each operation
_POLICY = "policy.dat"
_KEK = "kek.ctx"
# Changing this template changes the primary key, and blobs sealed before would no longer load.
_CREATE_PRIMARY = ("tpm2_createprimary", "-Q", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", _PRIMARY)

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


class TpmError(Exception):
    """A TPM operation failed. The message names the tool and its last error line, never secret bytes."""


@dataclass(frozen=True)
class Tpm:
    """A TPM reached through a TCTI: None means the kernel resource manager, "device:/dev/tpmrm0".

    `pcrs` (e.g. "sha256:7") seals under a policy on those PCRs' current values: unsealing then fails once they
    change (a different boot chain, or a firmware or Secure Boot update, which needs a re-seal).
    `run` is subprocess.run, injectable for tests.
    """
    tcti: str | None = None
    pcrs: str | None = None
    run: Runner = field(default=subprocess.run, repr=False, compare=False)

    def present(self) -> bool:
        """True when a TPM answers on the TCTI within a few seconds. Never raises."""
        try:
            self._tool(("tpm2_getrandom", "8"), cwd=None, timeout=PRESENT_TIMEOUT_S)
        except Exception:   # noqa: BLE001 - "is there a TPM" must not take the kiosk down, whatever went wrong
            return False
        return True

    def seal(self, secret: bytes, directory: Path) -> None:
        """Seal `secret` (1..128 bytes) into directory/kek.pub and kek.priv, each written atomically, mode 0600."""
        if not 0 < len(secret) <= MAX_SECRET:
            raise TpmError(f"a sealed secret has 1 to {MAX_SECRET} bytes, not {len(secret)}")
        with self._session() as work:
            self._step(_CREATE_PRIMARY, work)
            create = ["tpm2_create", "-Q", "-C", _PRIMARY, "-i", "-", "-u", PUB, "-r", PRIV]
            if self.pcrs:
                self._step(("tpm2_createpolicy", "-Q", "--policy-pcr", "-l", self.pcrs, "-L", _POLICY), work)
                create += ["-L", _POLICY]
            self._step(create, work, stdin=secret)
            blobs = {name: (work / name).read_bytes() for name in (PRIV, PUB)}
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, data in blobs.items():
            atomic_write(directory / name, data, mode=0o600)

    def unseal(self, directory: Path) -> bytes:
        """The secret sealed in `directory`; TpmError when the blobs are missing, damaged or from another TPM."""
        pub, priv = directory / PUB, directory / PRIV
        for path in (pub, priv):
            if not path.is_file():
                raise TpmError(f"no sealed key: {path} is missing")
        with self._session() as work:
            self._step(_CREATE_PRIMARY, work)
            self._step(("tpm2_load", "-Q", "-C", _PRIMARY, "-u", str(pub), "-r", str(priv), "-c", _KEK), work)
            unseal = ["tpm2_unseal", "-c", _KEK]
            if self.pcrs:
                unseal += ["-p", f"pcr:{self.pcrs}"]
            secret = self._step(unseal, work).stdout
        if not secret:
            raise TpmError("tpm2_unseal returned nothing")
        return secret

    @contextlib.contextmanager
    def _session(self) -> Iterator[Path]:
        """A private (0700) directory for context files, removed afterwards; leftovers in the TPM flushed first."""
        self._flush()
        with tempfile.TemporaryDirectory(prefix="kiosk-tpm-") as work:
            yield Path(work)

    def _step(self, argv: Sequence[str], work: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        try:
            return self._tool(argv, cwd=work, stdin=stdin)
        finally:
            self._flush()

    def _flush(self) -> None:
        """Unload every transient object and session, unless the kernel resource manager does (best effort)."""
        if self._tcti().startswith(f"device:{DEVICE}"):
            return
        for kind in ("--transient-object", "--loaded-session"):
            with contextlib.suppress(TpmError):
                self._tool(("tpm2_flushcontext", kind), cwd=None)

    def _tool(self, argv: Sequence[str], cwd: Path | None, stdin: bytes | None = None,
              timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess:
        env = {**os.environ, "TPM2TOOLS_TCTI": self._tcti()}
        try:
            done = self.run(list(argv), input=stdin, cwd=cwd, env=env, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TpmError(f"{argv[0]} did not finish within {timeout:g} s") from None
        except OSError as e:   # tpm2-tools not installed, or not executable
            raise TpmError(f"{argv[0]} could not run: {e.strerror or e}") from None
        if done.returncode != 0:
            raise TpmError(f"{argv[0]} failed ({done.returncode}): {_reason(done.stderr)}")
        return done

    def _tcti(self) -> str:
        return self.tcti or f"device:{DEVICE}"


def default_tpm(device: Path = DEVICE) -> Tpm | None:
    """The machine's TPM through the kernel resource manager, when `device` exists and answers; else None."""
    if not device.exists():
        return None
    tpm = Tpm() if device == DEVICE else Tpm(f"device:{device}")
    return tpm if tpm.present() else None


def _reason(stderr: bytes | None) -> str:
    """The most telling line of a tool's stderr: its last "ERROR:" line other than "Unable to run <tool>"."""
    lines = [line.strip() for line in (stderr or b"").decode(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR:") and "Unable to run" not in line]
    return (errors or lines or ["no message"])[-1][:200]

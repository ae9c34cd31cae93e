"""The diagnostic export to a USB stick, encrypted to the district's public key, and the district's tools.

    python -m kiosk.usb_export keygen --out PRIVATE_KEY_FILE     (the district, once: prints the public key)
    python -m kiosk.usb_export decrypt FILE --key PRIVATE_KEY_FILE [--out ZIP]

A stick can be lost on the ferry, so nothing is written to it in clear: the export (kiosk/diagnostics.py's zip,
which already leaves out keys, data and personal details, with more redacted log lines, and the database
integrity report) is encrypted to `diagnostics_public_key` (hex X25519) with an ephemeral X25519 key, HKDF-SHA256
and AES-256-GCM. No key configured: no export. The file is `zhoudaoban-diag-<station>-<UTC stamp>.zdiag`:

    b"ZDBDIAG1" | header length (2 bytes, big-endian) | header JSON | AES-GCM ciphertext (header authenticated)

Sticks are the file systems mounted under /media, /run/media or /mnt (what /proc/mounts lists), marked removable
or not by /sys/block. A write that fails (full, read-only, pulled out) leaves no partial file behind.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.ids import Clock, utc_now

log = logging.getLogger(__name__)

MAGIC = b"ZDBDIAG1"
ALGORITHM = "X25519-HKDF-SHA256-AES256GCM"
HKDF_INFO = b"zhoudaoban diagnostics v1"
SUFFIX = ".zdiag"
STICK_ROOTS = ("/media", "/run/media", "/mnt")
LOG_LINES = 5000


class ExportError(Exception):
    """The export was not written; `str()` says why in Chinese, for the technician."""


# --- finding sticks --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stick:
    mount_point: Path
    device: str
    removable: bool | None       # /sys/block's flag; None: not a block device the kernel describes
    read_only: bool
    free_bytes: int

    @property
    def label(self) -> str:
        return self.mount_point.name or str(self.mount_point)


def find_sticks(mounts_file: Path | str = "/proc/mounts", sys_block: Path | str = "/sys/block",
                roots: Iterable[Path | str] = STICK_ROOTS) -> list[Stick]:
    """File systems mounted under `roots`, removable ones first."""
    roots = [Path(r) for r in roots]
    try:
        lines = Path(mounts_file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        device, mount_point, options = fields[0], Path(_unescape(fields[1])), fields[3].split(",")
        if not any(root in mount_point.parents for root in roots):
            continue
        try:
            free = shutil.disk_usage(mount_point).free
        except OSError:
            continue   # listed but gone (pulled out a moment ago)
        found.append(Stick(mount_point, device, _removable(device, Path(sys_block)), "ro" in options, free))
    return sorted(found, key=lambda s: (s.removable is not True, str(s.mount_point)))


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _removable(device: str, sys_block: Path) -> bool | None:
    if not device.startswith("/dev/"):
        return None
    name = Path(os.path.realpath(device)).name if os.path.exists(device) else Path(device).name
    try:
        disks = sorted((p.name for p in sys_block.iterdir()), key=len, reverse=True)
    except OSError:
        return None
    disk = next((d for d in disks if name == d or name.startswith(d)), None)   # sdb1 → sdb, mmcblk0p1 → mmcblk0
    if disk is None:
        return None
    try:
        return (sys_block / disk / "removable").read_text().strip() == "1"
    except OSError:
        return None


# --- encryption ------------------------------------------------------------------------------------------------

def public_key_from_hex(text: str) -> X25519PublicKey:
    try:
        raw = bytes.fromhex(text.strip())
        if len(raw) != 32:
            raise ValueError
        return X25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise ExportError("区级诊断公钥（diagnostics_public_key）格式不对：应为 64 位十六进制") from None


def fingerprint(public: X25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes(serialization.Encoding.Raw,
                                              serialization.PublicFormat.Raw)).hexdigest()[:16]


def _derive(shared: bytes, eph: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=eph + recipient, info=HKDF_INFO).derive(shared)


def encrypt(plain: bytes, recipient: X25519PublicKey, header: dict) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    eph = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    rcpt = recipient.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    nonce = os.urandom(12)
    head = json.dumps(header | {"v": 1, "alg": ALGORITHM, "recipient": fingerprint(recipient), "eph": eph.hex(),
                                "nonce": nonce.hex()}, ensure_ascii=False, sort_keys=True).encode("utf-8")
    prefix = MAGIC + len(head).to_bytes(2, "big") + head
    key = _derive(ephemeral.exchange(recipient), eph, rcpt)
    return prefix + AESGCM(key).encrypt(nonce, plain, prefix)


def read_header(data: bytes) -> tuple[dict, bytes, bytes]:
    """(header, authenticated prefix, ciphertext); ValueError for a file that is not an export."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 2:
        raise ValueError("not a zhoudaoban diagnostic export")
    length = int.from_bytes(data[len(MAGIC):len(MAGIC) + 2], "big")
    end = len(MAGIC) + 2 + length
    header = json.loads(data[len(MAGIC) + 2:end])
    return header, data[:end], data[end:]


def decrypt(data: bytes, private: X25519PrivateKey) -> tuple[dict, bytes]:
    header, prefix, body = read_header(data)
    if header.get("alg") != ALGORITHM:
        raise ValueError(f"unknown algorithm {header.get('alg')!r}")
    mine = private.public_key()
    if header.get("recipient") != fingerprint(mine):
        raise ValueError("encrypted to another key (recipient fingerprint differs)")
    eph = bytes.fromhex(header["eph"])
    rcpt = mine.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = _derive(private.exchange(X25519PublicKey.from_public_bytes(eph)), eph, rcpt)
    try:
        return header, AESGCM(key).decrypt(bytes.fromhex(header["nonce"]), body, prefix)
    except InvalidTag:
        raise ValueError("the file was changed or is incomplete") from None


# --- the export ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exported:
    path: Path
    size: int


def build_bundle(data_dir: Path, clock: Clock = utc_now, integrity: dict | None = None) -> bytes:
    """The plain zip: diagnostics.zip (kiosk/diagnostics.py, with more log lines) and integrity.json."""
    from kiosk.diagnostics import export_diagnostics
    from local_db.integrity import check

    data_dir = Path(data_dir)
    if integrity is None:
        integrity = check(data_dir / "kiosk.db", clock).to_json()
        integrity.pop("path", None)   # the data dir's place on this machine tells the district nothing
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".diag-") as tmp:
        inner = export_diagnostics(data_dir, Path(tmp) / "diagnostics.zip", clock=clock, log_lines=LOG_LINES)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(inner, "diagnostics.zip")
            archive.writestr("integrity.json", json.dumps(integrity, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def export_to(stick_dir: Path | str, data_dir: Path | str, public_key_hex: str, station_id: str,
              clock: Clock = utc_now, integrity: dict | None = None) -> Exported:
    """Encrypt the export to the district's key and write it into `stick_dir`; ExportError with the reason."""
    if not public_key_hex.strip():
        raise ExportError("未设置区级诊断公钥（diagnostics_public_key）：为保护数据，不向U盘写入未加密的文件")
    recipient = public_key_from_hex(public_key_hex)
    now = clock()
    station = re.sub(r"[^A-Za-z0-9_.-]", "_", station_id)[:64] or "station"
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    plain = build_bundle(Path(data_dir), clock, integrity)
    sealed = encrypt(plain, recipient, {"station": station, "created_at": now.isoformat(timespec="seconds")})
    target = Path(stick_dir) / f"zhoudaoban-diag-{station}-{stamp}{SUFFIX}"
    _write_to_stick(target, sealed)
    log.info("diagnostic export written to a USB stick (%d bytes, encrypted)", len(sealed))
    return Exported(target, len(sealed))


def _write_to_stick(target: Path, data: bytes) -> None:
    part = target.with_name(f".{target.name}.part")
    try:
        with open(part, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(part, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        for leftover in (part, target):
            try:
                leftover.unlink()
            except OSError:
                pass
        raise ExportError(_stick_reason(exc)) from exc


def _stick_reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "U盘空间不足，未导出（已删除不完整的文件）"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "U盘只读或没有写入权限，未导出"
    if exc.errno in (errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, errno.ENOTDIR):
        return "U盘已拔出或无法写入，未导出，请重新插入后再试"
    return f"写入U盘失败（{errno.errorcode.get(exc.errno, exc.errno)}），未导出"


def export_for_core(core, stick: Stick, actor: str, clock: Clock = utc_now) -> Exported:
    """The maintenance screen's export: the running kiosk's settings, audited (who, never what)."""
    from local_db import audit

    result = export_to(stick.mount_point, core.data_dir, core.config["diagnostics_public_key"],
                       core.config["station_id"], clock)
    if core.audit is not None:
        core.audit.record(actor, audit.DIAGNOSTICS_EXPORTED)
    return result


# --- the district's side ---------------------------------------------------------------------------------------

def keygen(out: Path) -> str:
    """A new private key file (hex, 0600) and its public key in hex, for diagnostics_public_key."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(raw.hex() + "\n")
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_private(path: Path) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.usb_export",
                                     description="the district's tools for encrypted diagnostic exports")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("keygen", help="make a key pair; prints the public key for diagnostics_public_key")
    gen.add_argument("--out", type=Path, required=True, help="private key file to create (kept by the district)")
    dec = sub.add_parser("decrypt", help="decrypt a .zdiag file into the zip it holds")
    dec.add_argument("file", type=Path)
    dec.add_argument("--key", type=Path, required=True, help="the private key file from keygen")
    dec.add_argument("--out", type=Path, help="zip to write (default: FILE with .zip)")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        try:
            print(keygen(args.out))
        except FileExistsError:
            print(f"{args.out} exists already; not overwritten", file=sys.stderr)
            return 2
        return 0
    try:
        header, plain = decrypt(args.file.read_bytes(), load_private(args.key))
    except (OSError, ValueError) as exc:
        print(f"cannot decrypt {args.file}: {exc}", file=sys.stderr)
        return 1
    out = args.out or args.file.with_suffix(".zip")
    out.write_bytes(plain)
    print(json.dumps({"station": header.get("station"), "created_at": header.get("created_at"), "zip": str(out)},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The encrypted diagnostic export to a USB stick, on tmpfs mounts standing in for sticks."""
import io
import json
import subprocess
import zipfile
from types import SimpleNamespace

import pytest

from kiosk import usb_export as ux
from kiosk.config import Config
from kiosk.records import Identity
from local_db.audit import TECHNICIAN
from local_db.db import open_db
from local_db.store import ApplicationStore
from tests.tmpfs_helpers import small_tmpfs

RESIDENT = Identity(source="idcard", name="王海生", id_number="330902195803150012", address="定海区长岛")


@pytest.fixture
def data_dir(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    store = ApplicationStore(open_db(data / "kiosk.db"), "st-1", "DH001")
    store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"contact": "13800000000"})
    store.db.conn.close()
    (data / "logs").mkdir()
    (data / "logs" / "kiosk.log").write_text(f"INFO card read for {RESIDENT.id_number}\nINFO all fine\n",
                                            encoding="utf-8")
    return data


@pytest.fixture
def district(tmp_path):
    private = tmp_path / "district.key"
    assert ux.main(["keygen", "--out", str(private)]) == 0
    return private, ux.load_private(private).public_key().public_bytes_raw().hex()


def test_find_sticks_reads_mounts_and_the_removable_flag(tmp_path):
    media = tmp_path / "media"
    (media / "kiosk" / "MY STICK").mkdir(parents=True)
    (media / "kiosk" / "disk").mkdir(parents=True)
    sys_block = tmp_path / "sys"
    for disk, flag in (("sdb", "1"), ("sda", "0"), ("mmcblk0", "1")):
        (sys_block / disk).mkdir(parents=True)
        (sys_block / disk / "removable").write_text(flag + "\n")
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda2 / ext4 rw,relatime 0 0\n"
        f"/dev/sda3 {media}/kiosk/disk ext4 rw 0 0\n"
        f"/dev/sdb1 {media}/kiosk/MY\\040STICK vfat rw,nosuid 0 0\n"
        "proc /proc proc rw 0 0\n"
        f"/dev/mmcblk0p1 {media}/kiosk/gone vfat ro 0 0\n")   # listed, but the folder is gone
    found = ux.find_sticks(mounts, sys_block, roots=[media])
    assert [(s.label, s.device, s.removable) for s in found] == [("MY STICK", "/dev/sdb1", True),
                                                                 ("disk", "/dev/sda3", False)]
    assert found[0].free_bytes > 0 and not found[0].read_only


def test_a_real_mount_under_the_roots_is_found(tmp_path):
    with small_tmpfs(tmp_path / "media" / "STICK", "1m") as stick:
        found = ux.find_sticks(roots=[tmp_path / "media"])
        assert [s.mount_point for s in found] == [stick]


def test_export_is_encrypted_to_the_district_and_the_district_decrypts_it(tmp_path, data_dir, district, capsys):
    private, public = district
    stick = tmp_path / "stick"
    stick.mkdir()
    done = ux.export_to(stick, data_dir, public, "zs-dh-cjd-001")
    assert done.path.parent == stick and done.path.name.startswith("zhoudaoban-diag-zs-dh-cjd-001-")
    assert done.path.suffix == ".zdiag" and [p.name for p in stick.iterdir()] == [done.path.name]
    raw = done.path.read_bytes()
    assert raw.startswith(ux.MAGIC) and b"summary.json" not in raw and b"PK" not in raw[:200]
    header, _prefix, _body = ux.read_header(raw)
    assert header["station"] == "zs-dh-cjd-001" and header["alg"] == ux.ALGORITHM

    capsys.readouterr()
    assert ux.main(["decrypt", str(done.path), "--key", str(private), "--out", str(tmp_path / "out.zip")]) == 0
    assert json.loads(capsys.readouterr().out)["station"] == "zs-dh-cjd-001"
    with zipfile.ZipFile(tmp_path / "out.zip") as outer:
        assert set(outer.namelist()) == {"diagnostics.zip", "integrity.json"}
        assert json.loads(outer.read("integrity.json"))["ok"] is True
        with zipfile.ZipFile(io.BytesIO(outer.read("diagnostics.zip"))) as inner:
            text = "".join(inner.read(name).decode("utf-8") for name in inner.namelist())
    assert "all fine" in text and RESIDENT.id_number not in text and RESIDENT.name not in text


def test_a_changed_file_or_another_key_does_not_decrypt(tmp_path, data_dir, district):
    private, public = district
    done = ux.export_to(tmp_path, data_dir, public, "st-1")
    raw = bytearray(done.path.read_bytes())
    raw[-5] ^= 1
    with pytest.raises(ValueError, match="changed"):
        ux.decrypt(bytes(raw), ux.load_private(private))
    other = tmp_path / "other.key"
    ux.keygen(other)
    with pytest.raises(ValueError, match="another key"):
        ux.decrypt(done.path.read_bytes(), ux.load_private(other))


@pytest.mark.parametrize("key, reason", [("", "未设置区级诊断公钥"), ("abcd", "格式不对")])
def test_no_usable_key_writes_nothing(tmp_path, data_dir, key, reason):
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.raises(ux.ExportError, match=reason):
        ux.export_to(stick, data_dir, key, "st-1")
    assert list(stick.iterdir()) == []


def test_a_full_stick_keeps_no_partial_file(tmp_path, data_dir, district):
    with small_tmpfs(tmp_path / "media" / "STICK", "64k", full=True) as stick:
        before = {p.name for p in stick.iterdir()}
        with pytest.raises(ux.ExportError, match="空间不足"):
            ux.export_to(stick, data_dir, district[1], "st-1")
        assert {p.name for p in stick.iterdir()} == before


def test_a_read_only_or_pulled_stick_says_so(tmp_path, data_dir, district):
    with small_tmpfs(tmp_path / "media" / "RO", "64k") as stick:
        subprocess.run(["mount", "-o", "remount,ro", str(stick)], check=True)
        with pytest.raises(ux.ExportError, match="只读"):
            ux.export_to(stick, data_dir, district[1], "st-1")
    with pytest.raises(ux.ExportError, match="拔出"):
        ux.export_to(tmp_path / "media" / "pulled", data_dir, district[1], "st-1")


def test_export_from_the_maintenance_screen_is_audited(tmp_path, data_dir, district):
    db = open_db(data_dir / "kiosk.db")
    try:
        store = ApplicationStore(db, "st-1", "DH001")
        core = SimpleNamespace(data_dir=data_dir, audit=store.audit,
                               config=Config({"diagnostics_public_key": district[1], "station_id": "st-1"}))
        stick = ux.Stick(tmp_path, "/dev/sdb1", True, False, 1 << 30)
        done = ux.export_for_core(core, stick, TECHNICIAN)
        assert done.path.exists()
        last = db.execute("SELECT actor, action FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        assert last == (TECHNICIAN, "diagnostics_exported")
    finally:
        db.conn.close()

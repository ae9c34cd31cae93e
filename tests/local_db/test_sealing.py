"""Encryption at rest: the sealer, the key ring and where it lives, sealing an upgraded database, and rotation."""
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.records import Identity
from local_db.db import open_db
from local_db.keys import (RING_FILE, SEALED_RING_FILE, KeyFileExposed, KeyProblem, KeyRing, KeyRingMissing,
                           KeyStore, Sealer, SealError, key_id_of)
from local_db.sealing import APPLICANT, SEALED_COLUMNS, key_status, rotate_keys
from local_db.store import ApplicationStore, Outbox
from sync.attachments import AttachmentStore
from sync.quarantine import Quarantine
from tests.clocks import FakeClock
from tests.local_db.sealed_helpers import opened_rows_text
from tests.local_db.test_tpm import swtpm_factory  # noqa: F401  (a pytest fixture: fresh swtpm instances)

RESIDENT = Identity(source="idcard", name="林阿婆", id_number="330902194501010027", address="定海区岑港街道烟墩村9号",
                    phone="13905801234")
PERSONAL = (RESIDENT.name, RESIDENT.id_number, RESIDENT.address, RESIDENT.phone)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "kiosk" / "kiosk.db"


@pytest.fixture
def store(db_path, clock):
    db_path.parent.mkdir()
    db = open_db(db_path)
    yield ApplicationStore(db, "st-1", "DH001", clock=clock)
    db.conn.close()


def file_bytes(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db_path.parent.glob("kiosk.db*"))


# --- the sealer ------------------------------------------------------------------------------------------------

def test_a_value_opens_only_in_its_own_place_and_with_its_own_ring():
    sealer = Sealer.fixed(KeyRing.new())
    token = sealer.seal("王海生", "applicant:a")
    assert "王海生" not in token and sealer.open(token, "applicant:a") == "王海生"
    assert sealer.seal("王海生", "applicant:a") != token            # a fresh nonce every time
    with pytest.raises(SealError):
        sealer.open(token, "applicant:b")                           # moved to another row
    with pytest.raises(SealError):
        Sealer.fixed(KeyRing.new()).open(token, "applicant:a")      # another machine's ring
    flipped = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SealError):
        sealer.open(flipped, "applicant:a")                         # changed on disk
    assert sealer.open('{"purged": true}', "applicant:a") == '{"purged": true}'   # never sealed: as it is
    blob = sealer.seal_bytes(b"\x89PNG signature", "attachment:x")
    assert b"signature" not in blob and sealer.open_bytes(blob, "attachment:x") == b"\x89PNG signature"
    with pytest.raises(SealError):
        sealer.open_bytes(blob, "attachment:y")


def test_the_ring_file_is_owner_only_and_a_readable_one_is_refused(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.save(KeyRing.new())
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.directory / RING_FILE).st_mode) == 0o600
    os.chmod(store.directory / RING_FILE, 0o644)
    with pytest.raises(KeyFileExposed):
        store.load()
    os.chmod(store.directory / RING_FILE, 0o600)
    (store.directory / RING_FILE).write_text('{"current": "x", "keys": {}}')
    with pytest.raises(KeyProblem, match="damaged"):
        store.load()


# --- the database ----------------------------------------------------------------------------------------------

def test_a_new_database_gets_a_ring_and_its_personal_data_is_sealed_in_the_file(store, db_path):
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"contact": RESIDENT.phone})
    store.rate(app.item_id, app.id, 2, ("slow",), comment=f"{RESIDENT.name}说太慢")
    assert (db_path.parent / "keys" / RING_FILE).exists()
    assert store.load_application(app.id) == app
    assert all(value in opened_rows_text(store.db) for value in PERSONAL)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = file_bytes(db_path)
    assert not [v for v in PERSONAL if v.encode() in raw]
    assert app.receipt_no.encode() in raw and "户籍证明开具".encode() in raw   # statistics stay readable


def test_a_second_connection_shares_the_ring(store, db_path):
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    other = open_db(db_path, migrate=False)
    try:
        assert Outbox(other).pending()[0].payload["applicant"]["id_number"] == RESIDENT.id_number
    finally:
        other.conn.close()


def test_losing_the_ring_is_refused_rather_than_replaced(store, db_path):
    store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    store.db.conn.close()
    shutil.rmtree(db_path.parent / "keys")
    with pytest.raises(KeyRingMissing):
        open_db(db_path)
    assert not (db_path.parent / "keys" / RING_FILE).exists()   # no new, useless ring was made


def test_a_copied_data_dir_without_its_ring_reveals_nothing(store, db_path, tmp_path):
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    thief = tmp_path / "copy"
    shutil.copytree(db_path.parent, thief, ignore=shutil.ignore_patterns("keys"))
    (thief / "keys").mkdir()
    KeyStore(thief / "keys").save(KeyRing.new())     # the thief's own ring
    stolen = open_db(thief / "kiosk.db")
    try:
        with pytest.raises(SealError):
            ApplicationStore(stolen, "st-1", "DH001").load_application(app.id)
    finally:
        stolen.conn.close()


def test_rows_written_before_sealing_are_sealed_at_the_next_open(db_path, clock):
    db_path.parent.mkdir()
    db = open_db(db_path)
    store = ApplicationStore(db, "st-1", "DH001", clock=clock)
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"contact": RESIDENT.phone})
    rating = store.rate(app.item_id, app.id, 1, (), comment=RESIDENT.name)
    sha = AttachmentStore(db).add(RESIDENT.name.encode())
    Quarantine(db, clock).move({app.id: "test"})
    for column in SEALED_COLUMNS:   # as an older kiosk wrote them: plaintext
        keys = ", ".join(column.keys)
        for rowid, *key_values, value in db.execute(
                f"SELECT rowid, {keys}, {column.column} FROM {column.table} WHERE {column.column} IS NOT NULL"
                f" AND NOT ({column.skip_when})").fetchall():
            plain = (db.sealer.open_bytes(value, column.context(*key_values)) if column.binary
                     else db.sealer.open(value, column.context(*key_values)))
            db.execute(f"UPDATE {column.table} SET {column.column}=? WHERE rowid=?", (plain, rowid))
    db.execute("DELETE FROM meta WHERE key='sealed_at_rest'")
    assert RESIDENT.id_number.encode() in b"".join(str(r).encode() for r in db.execute("SELECT * FROM quarantine"))
    db.conn.close()

    db = open_db(db_path)
    try:
        status = key_status(db, KeyStore.beside(db_path))
        assert status["plaintext_values"] == 0 and sum(status["sealed_values"].values()) >= 4
        assert Quarantine(db).payload(app.id)["applicant"]["name"] == RESIDENT.name
        assert AttachmentStore(db).read(sha) == RESIDENT.name.encode()
        assert db.execute("SELECT comment FROM ratings WHERE application_id=?", (app.id,)).fetchone()[0] != \
            rating.comment
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not [v for v in PERSONAL if v.encode() in file_bytes(db_path)]
    finally:
        db.conn.close()


# --- rotation --------------------------------------------------------------------------------------------------

def test_rotation_reseals_everything_retires_the_old_key_and_is_audited(store, db_path, clock, tmp_path):
    media = tmp_path / "media"
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {"contact": RESIDENT.phone})
    scan = AttachmentStore(store.db, media, clock)
    sha = scan.add(b"scan of " + RESIDENT.name.encode())
    keys = KeyStore.beside(db_path)
    old = keys.load().current
    other = open_db(db_path, migrate=False)   # the sync worker's connection, opened before the rotation
    try:
        rotation = rotate_keys(store.db, keys, media, store.audit)
        assert rotation.retired == (old,) and rotation.media_files == 1 and rotation.values >= 3
        ring = keys.load()
        assert list(ring.keys) == [rotation.new_key]
        status = key_status(store.db, keys)
        assert set(status["sealed_values"]) == {rotation.new_key} and status["unknown_keys"] == []
        assert key_id_of((media / sha[:2] / sha).read_bytes()) == rotation.new_key
        assert store.load_application(app.id) == app and scan.read(sha).endswith(RESIDENT.name.encode())
        # the other connection sees the new ring at once: it reads and seals with the new key
        assert Outbox(other).pending()[0].payload["applicant"]["name"] == RESIDENT.name
        later = ApplicationStore(other, "st-1", "DH001", clock=clock).submit("zs-hj-001", "户籍证明开具",
                                                                               RESIDENT, {})
        raw = store.db.execute("SELECT applicant FROM applications WHERE id=?", (later.id,)).fetchone()[0]
        assert key_id_of(raw) == rotation.new_key
        trail = store.db.execute("SELECT actor, action, target FROM audit WHERE action='key_rotated'").fetchall()
        assert trail == [("technician", "key_rotated", rotation.new_key)]
    finally:
        other.conn.close()


def test_a_rotation_cut_short_leaves_every_value_readable_and_a_rerun_finishes_it(store, db_path, clock):
    app = store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    keys = KeyStore.beside(db_path)
    store.db.execute("CREATE TRIGGER cut BEFORE UPDATE OF applicant ON applications BEGIN"
                     " SELECT RAISE(ABORT, 'power cut'); END")
    with pytest.raises(Exception, match="power cut"):
        rotate_keys(store.db, keys)
    assert len(keys.load().keys) == 2               # the new key was saved first; the old one is still there
    assert store.load_application(app.id) == app
    store.db.execute("DROP TRIGGER cut")
    rotation = rotate_keys(store.db, keys)
    assert list(keys.load().keys) == [rotation.new_key] and store.load_application(app.id) == app


def test_concurrent_writers_during_a_rotation_never_use_a_retired_key(store, db_path, clock):
    writer_db = open_db(db_path, migrate=False, shared=True)
    writer = ApplicationStore(writer_db, "st-1", "DH001", clock=clock)
    keys = KeyStore.beside(db_path)
    done = threading.Event()
    filed = []

    def keep_filing():
        while not done.is_set():
            filed.append(writer.submit("zs-hj-001", "户籍证明开具", RESIDENT, {}).id)
            time.sleep(0.005)   # SQLite's busy wait is not fair: a writer that never pauses can starve the rotation

    thread = threading.Thread(target=keep_filing)
    thread.start()
    try:
        for _ in range(3):
            rotate_keys(store.db, keys)
    finally:
        done.set()
        thread.join()
    try:
        assert filed and all(store.load_application(i).applicant == RESIDENT for i in filed)
        assert key_status(store.db, keys)["unknown_keys"] == []
    finally:
        writer_db.conn.close()


def test_the_technician_command_prints_ids_and_counts_never_keys(store, db_path):
    store.submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    data_dir = str(db_path.parent)
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    status = subprocess.run([sys.executable, "-m", "local_db.sealing", "status", "--data-dir", data_dir],
                            capture_output=True, text=True, env=env, timeout=60)
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["protection"] == "file" and body["plaintext_values"] == 0
    rotated = subprocess.run([sys.executable, "-m", "local_db.sealing", "rotate", "--data-dir", data_dir],
                             capture_output=True, text=True, env=env, timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    ring = KeyStore.beside(db_path).load()
    assert json.loads(rotated.stdout)["new_key"] == ring.current
    import base64
    for key in ring.keys.values():
        assert base64.b64encode(key).decode() not in status.stdout + rotated.stdout + rotated.stderr


# --- bound to the TPM ------------------------------------------------------------------------------------------

tpm_tools = pytest.mark.skipif(shutil.which("swtpm") is None or shutil.which("tpm2_unseal") is None,
                               reason="swtpm and tpm2-tools are installed by scripts/setup.sh")


@tpm_tools
def test_with_a_tpm_the_ring_is_sealed_to_it_and_a_copied_disk_opens_nowhere_else(swtpm_factory, db_path, clock,
                                                                                 tmp_path):
    machine, other_machine = swtpm_factory(), swtpm_factory()
    db_path.parent.mkdir()
    keys = KeyStore.beside(db_path, tpm=machine)
    db = open_db(db_path, keys=keys)
    app = ApplicationStore(db, "st-1", "DH001", clock=clock).submit("zs-hj-001", "户籍证明开具", RESIDENT, {})
    db.conn.close()
    assert (keys.directory / SEALED_RING_FILE).exists() and not (keys.directory / RING_FILE).exists()
    ring_bytes = (keys.directory / SEALED_RING_FILE).read_bytes()
    assert b"current" not in ring_bytes
    reopened = open_db(db_path, keys=KeyStore.beside(db_path, tpm=machine))
    try:
        assert ApplicationStore(reopened, "st-1", "DH001").load_application(app.id).applicant == RESIDENT
        rotation = rotate_keys(reopened, KeyStore.beside(db_path, tpm=machine))
        assert KeyStore.beside(db_path, tpm=machine).load().current == rotation.new_key
    finally:
        reopened.conn.close()
    copy = tmp_path / "disk-copy"
    shutil.copytree(db_path.parent, copy)              # the whole data dir, keys folder and all
    with pytest.raises(Exception) as refused:
        open_db(copy / "kiosk.db", keys=KeyStore(copy / "keys", tpm=other_machine))
    assert type(refused.value).__name__ in {"TpmError", "KeyProblem"}


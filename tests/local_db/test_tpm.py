"""local_db.tpm against a real software TPM (swtpm on loopback TCP ports), one fresh TPM per test."""
from __future__ import annotations

import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from local_db.tpm import MAX_SECRET, PRIV, PUB, Tpm, TpmError, default_tpm

pytestmark = [
    pytest.mark.skipif(shutil.which("swtpm") is None, reason="swtpm is not installed (scripts/setup.sh installs it)"),
    pytest.mark.skipif(shutil.which("tpm2_createprimary") is None,
                       reason="tpm2-tools is not installed (scripts/setup.sh installs it)"),
]

SECRET = bytes(range(7, 39)) + b"kek-plaintext-marker"   # 52 bytes, with a marker easy to look for


def _free_port_pair() -> int:
    """A port P with P and P+1 both free on loopback (swtpm's server and control ports)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two adjacent free loopback ports")


@pytest.fixture
def swtpm_factory(tmp_path: Path) -> Iterator:
    """Starts swtpm instances (fresh state each) and returns a Tpm for each; all are killed at teardown."""
    procs: list[subprocess.Popen] = []

    def start() -> Tpm:
        state = tmp_path / f"swtpm{len(procs)}"
        state.mkdir()
        for _ in range(3):   # a port taken between the probe and swtpm's bind: try other ports
            port = _free_port_pair()
            proc = subprocess.Popen(
                ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
                 "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
                 "--ctrl", f"type=tcp,port={port + 1},bindaddr=127.0.0.1",
                 "--flags", "not-need-init,startup-clear"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            procs.append(proc)
            tpm = Tpm(f"swtpm:host=127.0.0.1,port={port}")
            deadline = time.monotonic() + 10
            while proc.poll() is None and time.monotonic() < deadline:
                if tpm.present():
                    return tpm
                time.sleep(0.05)
        raise RuntimeError(f"swtpm did not answer: {proc.stderr.read() if proc.poll() is not None else 'timeout'}")

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(timeout=5)
        proc.stderr.close()


@pytest.fixture
def tpm(swtpm_factory) -> Tpm:
    return swtpm_factory()


def test_seal_unseal_round_trip(tpm: Tpm, tmp_path: Path):
    tpm.seal(SECRET, tmp_path / "keys")
    assert tpm.unseal(tmp_path / "keys") == SECRET
    assert Tpm(tpm.tcti).unseal(tmp_path / "keys") == SECRET        # a new Tpm object re-derives the same primary


def test_blobs_are_0600_and_hold_no_plaintext(tpm: Tpm, tmp_path: Path):
    keys = tmp_path / "keys"
    tpm.seal(SECRET, keys)
    assert sorted(p.name for p in keys.iterdir()) == sorted([PUB, PRIV])   # no temp files left behind
    for name in (PUB, PRIV):
        path = keys / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = path.read_bytes()
        assert data and SECRET not in data and b"kek-plaintext-marker" not in data


def test_reseal_replaces_the_blobs(tpm: Tpm, tmp_path: Path):
    tpm.seal(SECRET, tmp_path)
    tpm.seal(b"\x00" * MAX_SECRET, tmp_path)
    assert tpm.unseal(tmp_path) == b"\x00" * MAX_SECRET


def test_another_tpm_cannot_unseal(swtpm_factory, tmp_path: Path):
    first, second = swtpm_factory(), swtpm_factory()
    first.seal(SECRET, tmp_path)
    with pytest.raises(TpmError) as caught:
        second.unseal(tmp_path)
    assert "kek-plaintext-marker" not in str(caught.value)
    assert first.unseal(tmp_path) == SECRET        # the failed attempt changed nothing


@pytest.mark.parametrize("name", [PUB, PRIV])
def test_damaged_blob_is_refused(tpm: Tpm, tmp_path: Path, name: str):
    tpm.seal(SECRET, tmp_path)
    path = tmp_path / name
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(TpmError):
        tpm.unseal(tmp_path)
    assert _loaded_handles(tpm) == []


def _loaded_handles(tpm: Tpm) -> list[str]:
    """Transient objects and sessions left in the TPM (swtpm has no resource manager to flush them)."""
    found = []
    for kind in ("handles-transient", "handles-loaded-session"):
        out = subprocess.run(["tpm2_getcap", kind], env={"TPM2TOOLS_TCTI": tpm.tcti}, check=True,
                             capture_output=True, timeout=20).stdout.decode()
        found += [line for line in out.splitlines() if line.strip()]
    return found


def test_nothing_stays_loaded_in_the_tpm(tpm: Tpm, tmp_path: Path):
    bound = Tpm(tpm.tcti, pcrs="sha256:16")
    for _ in range(4):               # swtpm holds 3 objects and 3 sessions: leaks would fail by the 2nd round
        bound.seal(SECRET, tmp_path)
        assert bound.unseal(tmp_path) == SECRET
        with pytest.raises(TpmError):
            Tpm(tpm.tcti).unseal(tmp_path)
    assert _loaded_handles(tpm) == []


def test_missing_and_truncated_blobs_are_refused(tpm: Tpm, tmp_path: Path):
    with pytest.raises(TpmError, match="missing"):
        tpm.unseal(tmp_path)
    tpm.seal(SECRET, tmp_path)
    (tmp_path / PRIV).write_bytes((tmp_path / PRIV).read_bytes()[:20])
    with pytest.raises(TpmError):
        tpm.unseal(tmp_path)


@pytest.mark.parametrize("secret", [b"", b"x" * (MAX_SECRET + 1)])
def test_secret_size_is_checked_before_any_tool_runs(tmp_path: Path, secret: bytes):
    def run(*args, **kwargs):
        raise AssertionError("no tool should run")
    with pytest.raises(TpmError, match="1 to 128 bytes"):
        Tpm("swtpm:host=127.0.0.1,port=1", run=run).seal(secret, tmp_path)


def test_present_is_false_fast_where_nothing_listens():
    port = _free_port_pair()
    started = time.monotonic()
    assert Tpm(f"swtpm:host=127.0.0.1,port={port}").present() is False
    assert Tpm("device:/nonexistent/tpmrm0").present() is False
    assert time.monotonic() - started < 3


def test_present_is_false_without_tpm2_tools():
    def run(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "tpm2_getrandom")
    assert Tpm(run=run).present() is False


def test_default_tpm_is_none_without_the_device(tmp_path: Path):
    assert default_tpm(tmp_path / "tpmrm0") is None


def test_a_wedged_tool_times_out_into_tpm_error(tmp_path: Path):
    def run(argv, **kwargs):
        if argv[0] == "tpm2_flushcontext":
            return subprocess.CompletedProcess(argv, 0, b"", b"")
        raise subprocess.TimeoutExpired(argv, kwargs["timeout"])
    with pytest.raises(TpmError, match="did not finish"):
        Tpm("swtpm:host=127.0.0.1,port=1", run=run).seal(SECRET, tmp_path)


def test_secret_never_on_a_command_line_or_in_the_environment(tpm: Tpm, tmp_path: Path):
    calls: list[tuple[list[str], dict]] = []
    workdirs: set[Path] = set()

    def recording_run(argv, **kwargs):
        calls.append((argv, kwargs))
        if kwargs["cwd"] is not None:
            workdirs.add(Path(kwargs["cwd"]))
            assert stat.S_IMODE(Path(kwargs["cwd"]).stat().st_mode) == 0o700
        return subprocess.run(argv, **kwargs)

    spy = Tpm(tpm.tcti, run=recording_run)
    spy.seal(SECRET, tmp_path)
    assert spy.unseal(tmp_path) == SECRET
    fed = [kwargs["input"] for _, kwargs in calls if kwargs.get("input") is not None]
    assert fed == [SECRET]                          # the secret went in once, through stdin
    for argv, kwargs in calls:
        assert 0 < kwargs["timeout"] <= 20
        text = " ".join(argv) + " " + " ".join(f"{k}={v}" for k, v in kwargs["env"].items())
        for needle in (SECRET, b"kek-plaintext-marker"):
            assert needle.decode("latin-1") not in text
            assert needle.hex() not in text
        assert kwargs["env"]["TPM2TOOLS_TCTI"] == tpm.tcti
    assert len(workdirs) == 2 and not any(w.exists() for w in workdirs)   # context files removed


def test_pcr_policy_binds_to_the_pcr_values(tpm: Tpm, tmp_path: Path):
    bound = Tpm(tpm.tcti, pcrs="sha256:16")
    bound.seal(SECRET, tmp_path)
    assert bound.unseal(tmp_path) == SECRET
    with pytest.raises(TpmError):
        Tpm(tpm.tcti).unseal(tmp_path)              # no policy session: the object has no user auth
    subprocess.run(["tpm2_pcrextend", "16:sha256=" + "11" * 32], env={"TPM2TOOLS_TCTI": tpm.tcti},
                   check=True, capture_output=True, timeout=20)
    with pytest.raises(TpmError, match="policy"):
        bound.unseal(tmp_path)

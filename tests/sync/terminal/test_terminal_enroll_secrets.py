"""The one-time enrollment code stays out of the command line, errors, logs and the identity files."""
import io
import json
import logging
import os
import subprocess
import sys

import pytest

from sync.__main__ import read_code
from sync.hub.testing import REPO_ROOT
from sync.terminal_identity import EnrollmentError, IdentityStore, enroll
from terminal_helpers import STATION

pytestmark = pytest.mark.timeout(60)
CLI_STATION = "zs-cli-010"


def data_with_config(tmp_path, hub_url: str):
    data = tmp_path / "kiosk-data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"hub_url": hub_url, "station_id": CLI_STATION}))
    return data


def run_enroll(data, *extra: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*"}
    return subprocess.run([sys.executable, "-m", "sync", "enroll", "--data-dir", str(data), *extra], cwd=REPO_ROOT,
                          input=stdin, capture_output=True, text=True, timeout=30, env=env)


def identity_files_text(data) -> str:
    store = IdentityStore(data)
    return store.identity_path.read_text() + store.key_path.read_text()


def test_cli_reads_the_code_from_stdin_not_the_command_line(real_hub, tmp_path):
    data = data_with_config(tmp_path, real_hub.url)
    code = real_hub.code(CLI_STATION)
    done = run_enroll(data, stdin=code + "\n")
    assert done.returncode == 0, done.stderr
    assert IdentityStore(data).load().station_id == CLI_STATION
    assert code not in done.stdout + done.stderr and "warning" not in done.stderr
    assert code not in identity_files_text(data)


def test_cli_code_dash_means_stdin_and_an_empty_code_is_refused(real_hub, tmp_path):
    data = data_with_config(tmp_path, real_hub.url)
    assert run_enroll(data, "--code", "-", stdin=real_hub.code(CLI_STATION)).returncode == 0
    again = run_enroll(tmp_path, "--code", "-", stdin="\n")
    assert again.returncode == 2 and "no enrollment code" in again.stderr


def test_cli_code_argument_still_works_with_a_warning(real_hub, tmp_path):
    data = data_with_config(tmp_path, real_hub.url)
    code = real_hub.code(CLI_STATION)
    done = run_enroll(data, "--code", code)
    assert done.returncode == 0 and "visible to other users" in done.stderr
    assert code not in done.stdout + done.stderr and code not in identity_files_text(data)


def test_a_refused_code_is_not_echoed_by_the_cli(real_hub, tmp_path):
    data = data_with_config(tmp_path, real_hub.url)
    done = run_enroll(data, stdin="ZZZZ-ZZZZ-ZZZZ\n")
    assert done.returncode == 2 and "unknown_code" in done.stderr and "ZZZZ" not in done.stderr + done.stdout


@pytest.mark.parametrize("issued", [True, False])
def test_enrollment_logs_and_errors_never_hold_the_code(real_hub, data_dir, session, caplog, issued):
    """The reference hub runs on a thread here, so its log lines are captured as well."""
    code = real_hub.code() if issued else "QQQQ-RRRR-TTTT"
    with caplog.at_level(logging.DEBUG):
        try:
            enroll(IdentityStore(data_dir), real_hub.url, STATION, code, session=session)
            error = ""
        except EnrollmentError as exc:
            error = f"{exc} {exc.reason} {exc!r}"
    assert issued == (error == "")
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert code not in logged and code not in error and "QQQQ" not in logged + error
    if issued:
        assert code not in identity_files_text(data_dir)


def test_read_code_asks_unseen_on_a_terminal_and_reads_a_pipe():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    asked = []
    assert read_code("-", stdin=Tty(), ask=lambda prompt: asked.append(prompt) or " ABCD-1234 ") == "ABCD-1234"
    assert asked == ["enrollment code: "]
    assert read_code("-", stdin=io.StringIO("WXYZ-5678\nmore\n"), ask=pytest.fail) == "WXYZ-5678"

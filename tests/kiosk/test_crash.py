"""Crash descriptions carry types and places, never what an exception says; the storm counts a sliding window."""
import errno
import sqlite3
import sys

from kiosk.crash import MAX_FRAMES, CrashStorm, describe, safe_detail

NAME, ID_NUMBER = "王海生", "330902196803121232"


def raised(fn):
    try:
        fn()
    except BaseException:
        return sys.exc_info()
    raise AssertionError("did not raise")


def parse_age(answers):
    return int(answers["name"])          # a resident's name where a number was expected


def test_a_description_names_the_type_and_place_but_never_the_value():
    report = describe(*raised(lambda: parse_age({"name": f"{NAME} {ID_NUMBER}"})))
    line = report.log_line()
    assert report.kind == "ValueError" and report.detail == ""
    assert report.frames[-1].startswith("tests/kiosk/test_crash.py:") and report.frames[-1].endswith("parse_age")
    assert NAME not in line and ID_NUMBER not in line and "invalid literal" not in line


def test_a_key_error_does_not_quote_its_key():
    report = describe(*raised(lambda: {}[ID_NUMBER]))
    assert report.kind == "KeyError" and ID_NUMBER not in report.log_line()


def test_codes_that_cannot_carry_personal_data_are_kept():
    assert safe_detail(OSError(errno.ENOSPC, f"No space left writing {NAME}.json")) == "ENOSPC"
    err = sqlite3.connect(":memory:")
    exc = raised(lambda: err.execute("SELECT * FROM no_such_table"))[1]
    assert safe_detail(exc) == "SQLITE_ERROR"
    assert safe_detail(RuntimeError(NAME)) == ""


def test_chained_exceptions_are_named_by_type_and_frames_are_capped():
    def deep(n):
        if n == 0:
            try:
                {}["x"]
            except KeyError as exc:
                raise RuntimeError(NAME) from exc
        deep(n - 1)

    report = describe(*raised(lambda: deep(20)), thread="ui-db_0")
    assert report.causes == ("KeyError",) and len(report.frames) == MAX_FRAMES
    assert "thread ui-db_0" in report.log_line() and NAME not in report.log_line()


def test_library_files_are_named_without_their_directory():
    report = describe(*raised(lambda: sqlite3.connect(":memory:").execute("nonsense")))
    assert all(not frame.startswith("/") for frame in report.frames)


class Seconds:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_crashes_within_a_minute_are_a_storm_and_old_ones_age_out():
    clock = Seconds()
    storm = CrashStorm(5, 60.0, clock=clock)
    for _ in range(4):
        assert not storm.record()
        clock.now += 10
    clock.now += 30                 # the first crash is now 70 s old: it no longer counts
    assert not storm.record()
    assert storm.recent == 4
    assert storm.record()             # five within 60 s

"""The maintenance log viewer's reading: rotated files in order, levels, tracebacks kept with their record, paging,
and the redaction net applied again."""
import logging
import logging.handlers

from kiosk.log_view import LogEntry, parse, read_page


def write_logs(data_dir, current: list[str], rotated: list[str] = ()) -> None:
    logs = data_dir / "logs"
    logs.mkdir(parents=True)
    (logs / "kiosk.log").write_text("".join(line + "\n" for line in current), encoding="utf-8")
    if rotated:
        (logs / "kiosk.log.1").write_text("".join(line + "\n" for line in rotated), encoding="utf-8")


def line(n: int, level: str = "INFO", text: str = "") -> str:
    return f"2026-11-25 09:{n // 60:02d}:{n % 60:02d},123 {level} kiosk.flow: {text or f'event {n}'}"


def test_records_read_newest_first_across_rotated_files(tmp_path):
    write_logs(tmp_path, [line(3), line(4)], rotated=[line(1), line(2)])
    page = read_page(tmp_path)
    assert [e.text for e in page.entries] == ["event 4", "event 3", "event 2", "event 1"]
    assert page.entries[0] == LogEntry("2026-11-25 09:00:04", "INFO", "kiosk.flow", "event 4")


def test_a_level_filter_keeps_that_level_and_above(tmp_path):
    write_logs(tmp_path, [line(1, "DEBUG"), line(2, "INFO"), line(3, "WARNING"), line(4, "ERROR")])
    assert [e.level for e in read_page(tmp_path, "WARNING").entries] == ["ERROR", "WARNING"]
    assert read_page(tmp_path, "ERROR").total == 1


def test_a_traceback_stays_with_its_record():
    entries = parse([line(1, "ERROR", "sync round crashed"), "Traceback (most recent call last):",
                     '  File "x.py", line 1', "ValueError: boom", line(2)])
    assert len(entries) == 2 and entries[0].more[-1] == "ValueError: boom"


def test_pages_of_the_newest_and_clamped(tmp_path):
    write_logs(tmp_path, [line(n) for n in range(95)])
    first = read_page(tmp_path, page_size=40)
    assert (first.page, first.pages, first.total, first.entries[0].text) == (0, 3, 95, "event 94")
    last = read_page(tmp_path, page=9, page_size=40)
    assert last.page == 2 and [e.text for e in last.entries] == [f"event {n}" for n in range(14, -1, -1)]


def test_lines_are_redacted_again_before_display(tmp_path):
    write_logs(tmp_path, [line(1, "WARNING", "unexpected id 330902196803121232 phone 13812345678")])
    shown = read_page(tmp_path).entries[0].text
    assert "330902196803121232" not in shown and "13812345678" not in shown and "«redacted:id»" in shown


def test_no_log_yet_is_an_empty_page(tmp_path):
    page = read_page(tmp_path)
    assert (page.entries, page.pages, page.total) == ((), 1, 0)


def test_reads_what_the_kiosks_own_handler_writes(tmp_path):
    (tmp_path / "logs").mkdir()
    handler = logging.handlers.RotatingFileHandler(tmp_path / "logs" / "kiosk.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))   # main.py's
    logger = logging.getLogger("maint.test")
    logger.addHandler(handler)
    try:
        logger.warning("printer paper near its end")
    finally:
        logger.removeHandler(handler)
        handler.close()
    entry = read_page(tmp_path).entries[0]
    assert (entry.level, entry.source, entry.text) == ("WARNING", "maint.test", "printer paper near its end")

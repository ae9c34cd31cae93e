"""预约上门/到站 at the agent desk: kinds, days and times with full slots greyed, contact and address, 确认预约
queued offline as 待确认; a conflict from the hub is a desk notice and a 重新预约 row in the work queue."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from PySide6.QtWidgets import QPushButton
from test_ui_agent_filing import logged_in
from test_ui_agent_login import AGENT
from ui_helpers import WAIT_MS, joined_texts, tap, wait_idle_tasks, wait_screen

from kiosk.bookings import CONFLICT
from local_db import audit
from sync.events import RecordStatusChanged

SOON = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)


def pulled(core, slot_id, *, kind="home_visit", hours=0, capacity=2, booked=0):
    start = SOON + timedelta(hours=hours)
    item = {"id": slot_id, "kind": kind, "station_id": core.config["station_id"], "service": "养老认证",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "capacity": capacity, "booked": booked, "cancelled": False}
    store = core.store
    with store._lock, store.db.conn:
        store.db.conn.execute("INSERT INTO stream_items (stream, id, body, updated_at) VALUES ('slots',?,?,?)",
                              (slot_id, json.dumps(item, ensure_ascii=False), SOON.isoformat()))


def slot_button(screen, slot_id) -> QPushButton | None:
    """The drawn one: a redraw leaves the old buttons to deleteLater."""
    shown = [b for b in screen.findChildren(QPushButton, f"slot-{slot_id}") if b.isVisible()]
    return shown[0] if shown else None


def to_booking(qtbot, window, core, kind_button):
    s = window.screens
    logged_in(qtbot, window, core)
    tap(qtbot, s.agent_home.booking_button)
    wait_screen(qtbot, window, s.booking)
    tap(qtbot, getattr(s.booking, kind_button))
    wait_idle_tasks(qtbot, window)
    qtbot.waitUntil(lambda: "请选择日期" in s.booking.summary.text(), timeout=WAIT_MS)
    qtbot.wait(50)   # the slot rows just added are shown by a queued call
    return s.booking


def test_a_home_visit_is_queued_offline_as_pending(qtbot, window, core):
    pulled(core, "s-full", capacity=1, booked=1)
    pulled(core, "s-free", hours=2)
    pulled(core, "s-station", kind="station_visit")
    screen = to_booking(qtbot, window, core, "home_visit_button")
    assert not slot_button(screen, "s-full").isEnabled() and "已约满" in slot_button(screen, "s-full").text()
    assert slot_button(screen, "s-station") is None and screen.address.isVisible()
    tap(qtbot, screen.station_button)                            # the other kind lists its own slots
    wait_idle_tasks(qtbot, window)
    qtbot.waitUntil(lambda: slot_button(screen, "s-station") is not None, timeout=WAIT_MS)
    assert slot_button(screen, "s-free") is None and not screen.address.isVisible()
    tap(qtbot, screen.home_visit_button)
    wait_idle_tasks(qtbot, window)
    qtbot.waitUntil(lambda: slot_button(screen, "s-free") is not None, timeout=WAIT_MS)
    tap(qtbot, screen.book_button)                               # no slot yet
    assert "还没有选择时段" in joined_texts(screen)
    tap(qtbot, slot_button(screen, "s-free"))
    screen.name.setText("王阿婆")
    tap(qtbot, screen.book_button)
    qtbot.waitUntil(lambda: "联系电话" in joined_texts(screen.error), timeout=WAIT_MS)
    assert "上门地址" in joined_texts(screen.error)
    screen.phone.setText("13812345678")
    screen.address.setText("长岛村东路12号")
    tap(qtbot, screen.book_button)
    qtbot.waitUntil(lambda: screen.result.isVisible(), timeout=WAIT_MS)
    assert "待确认（联网后确认）" in screen.result_text.text()
    rows = core.store.db.execute("SELECT slot_id, visit_kind, filed_by FROM bookings").fetchall()
    assert rows == [("s-free", "home_visit", AGENT)]
    actions = [r[0] for r in core.store.db.execute("SELECT action FROM audit ORDER BY seq").fetchall()]
    assert actions[-1] == audit.BOOKING_FILED
    window.forget_resident()
    assert "王阿婆" not in " ".join(window.visible_texts()) and screen.name.text() == ""


def test_a_conflict_shows_on_the_desk_and_rebooks_from_the_queue(qtbot, window, core):
    pulled(core, "s1", kind="station_visit")
    pulled(core, "s2", kind="station_visit", hours=3)
    screen = to_booking(qtbot, window, core, "station_button")
    tap(qtbot, slot_button(screen, "s1"))
    screen.name.setText("李大伯")
    screen.phone.setText("0580-2012345")
    tap(qtbot, screen.book_button)
    qtbot.waitUntil(lambda: screen.result.isVisible(), timeout=WAIT_MS)
    booking_id = core.store.db.execute("SELECT id FROM bookings").fetchone()[0]
    note = "该时段已约满，可改约：11月27日 12:00–13:00 养老认证（余1）"
    with core.store._lock, core.store.db.conn:   # as sync/pull.py stores the hub's answer
        core.store.db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at)"
                                   " VALUES (?,?,?,?,?)", (booking_id, CONFLICT, note, "t", "t"))
    window.nav.home()
    s = window.screens
    wait_screen(qtbot, window, s.agent_home)
    core.events.publish(RecordStatusChanged("another-terminals-booking", CONFLICT, "t", note))
    wait_idle_tasks(qtbot, window)
    qtbot.wait(50)
    assert not s.agent_home.notice.isVisible()                   # the station's stream: not this kiosk's booking
    core.events.publish(RecordStatusChanged(booking_id, CONFLICT, "t", note))
    qtbot.waitUntil(lambda: s.agent_home.notice.isVisible(), timeout=WAIT_MS)
    assert "可改约" in joined_texts(s.agent_home.notice)
    tap(qtbot, s.agent_home.queue_button)
    again = f"rebook-{booking_id}"
    qtbot.waitUntil(lambda: s.work_queue.findChild(QPushButton, again) is not None, timeout=WAIT_MS)
    assert "到站预约" in joined_texts(s.work_queue) and "预约未成功" in joined_texts(s.work_queue)
    tap(qtbot, s.work_queue.findChild(QPushButton, again))
    wait_screen(qtbot, window, s.booking)
    qtbot.waitUntil(lambda: slot_button(screen, "s2") is not None, timeout=WAIT_MS)
    assert screen.name.text() == "李大伯" and screen.station_button.isChecked()

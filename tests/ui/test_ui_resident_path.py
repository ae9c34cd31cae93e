"""The whole resident path on a real core with simulated devices: find, read, identify, apply, receipt, rate."""
from __future__ import annotations

from PySide6.QtWidgets import QPushButton
from ui_helpers import (DEMO_ID, DEMO_NAME, WAIT_MS, button_with_text, fill_valid, joined_texts, tap, type_text,
                        wait_idle_tasks, wait_screen)


def db_rows(core, sql: str) -> list:
    return core.store.db.execute(sql).fetchall()


def test_resident_applies_prints_and_rates(qtbot, window, core):
    s = window.screens
    # home → type 社保 → live results
    tap(qtbot, s.home.search_box)
    type_text(s.home.search_box, "社")
    wait_screen(qtbot, window, s.search)
    type_text(s.search.box, "保")
    assert s.search.box.text() == "社保"
    # an answer to the first keystroke may already be on screen; wait for the one to "社保"
    qtbot.waitUntil(lambda: s.search.status.text().startswith("“社保”找到"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any("本机可办" in joined_texts(r) for r in _rows(s.search)), timeout=WAIT_MS)
    ready = next(r for r in _rows(s.search) if "本机可办" in joined_texts(r))
    item_name = ready.text()

    # detail → 在本机申请
    tap(qtbot, ready)
    wait_screen(qtbot, window, s.detail)
    assert s.detail.title.text() == item_name
    assert "可在本机自助办理" in joined_texts(s.detail)
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)

    # 刷身份证 with the simulator's demo card → form, prefilled, masked
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    shown = joined_texts(window)
    assert "王**" in shown and "330***********1232" in shown
    assert DEMO_ID not in shown and DEMO_NAME not in shown
    prefilled = {k: e.value() for k, e in s.form.editors.items()}
    assert any(prefilled.values()), "nothing was prefilled from the card"

    # confirm → save → receipt → rows in the database
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    assert "王**" in joined_texts(s.confirm) and DEMO_ID not in joined_texts(window)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.receipt)
    qtbot.waitUntil(lambda: "请取走回执" in s.receipt.print_text.text(), timeout=WAIT_MS)
    receipt_no = s.receipt.receipt_no.text()
    assert receipt_no.startswith(core.config["station_code"])
    assert "已安全保存" in joined_texts(s.receipt)
    assert db_rows(core, "SELECT receipt_no FROM applications") == [(receipt_no,)]
    assert db_rows(core, "SELECT status FROM print_journal") == [("printed",)]
    assert list((core.data_dir / "receipts").glob("*.bin"))

    # rate 5 with a reason → thanks → home, nothing personal left
    tap(qtbot, s.receipt.done_button)
    wait_screen(qtbot, window, s.rating)
    tap(qtbot, s.rating.levels.button(5))
    qtbot.waitUntil(lambda: bool(_reason_buttons(s.rating)), timeout=WAIT_MS)
    reason = _reason_buttons(s.rating)[0]
    tap(qtbot, reason)
    tap(qtbot, s.rating.submit_button)
    qtbot.waitUntil(lambda: s.rating.pages.currentIndex() == 1, timeout=WAIT_MS)
    assert db_rows(core, "SELECT level, reasons FROM ratings") == [(5, f'["{reason.property("code")}"]')]
    tap(qtbot, button_with_text(s.rating, "返回首页"))
    wait_screen(qtbot, window, s.home)
    wait_idle_tasks(qtbot, window)
    assert window.resident.session is None
    assert receipt_no not in joined_texts(window) and "王**" not in joined_texts(window)


def _rows(search_screen):
    from ui.widgets import RowButton

    return [w for w in search_screen.findChildren(RowButton) if w.isVisible()]


def _reason_buttons(rating_screen):
    return [b for b in rating_screen.findChildren(QPushButton) if b.property("code") and b.isVisible()]

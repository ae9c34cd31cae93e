"""Supervision at the window: every way a service ends reaches 好差评 and names itself in the rating; a bad
rating needs a reason; 办不成事 is offered on every screen the window builds and stores a report in the outbox
with the screen's code and nothing personal beside what the resident typed, then goes back where they were."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from test_ui_agent_filing import form_to_consent, logged_in, sign, desk_to_form
from test_ui_booking import pulled, slot_button, to_booking
from test_ui_agent_needs import open_form
from ui_helpers import (DEMO_ID, DEMO_NAME, WAIT_MS, button_with_text, fill_valid, go_to_form, tap,
                        type_text, wait_idle_tasks, wait_screen)

from kiosk.records import Identity
from local_db import audit
from local_db.store import Outbox

PHONE = "13957012345"
WORDS = "找不到户口迁移"


def queued(core, kind: str) -> list[dict]:
    return [item.payload for item in Outbox(core.store.db).pending(1000) if item.kind == kind]


def tap_laid_out(qtbot, widget) -> None:
    """A button just shown has no size until the layout runs: a click before that would miss it."""
    qtbot.waitUntil(lambda: widget.isVisible() and widget.width() > 0 and widget.height() > 0, timeout=WAIT_MS)
    tap(qtbot, widget)


def reason_toggles(rating):
    return rating._toggles()


def rate(qtbot, window, level: int = 5, reason: str | None = None) -> dict:
    """On the rating screen: choose a level (and a reason), submit, see thanks; the rating's payload."""
    s = window.screens
    wait_screen(qtbot, window, s.rating)
    before = len(queued(window.core, "rating"))
    tap(qtbot, s.rating.levels.button(level))
    if reason:
        s.rating.choose_reason(reason)
    tap(qtbot, s.rating.submit_button)
    qtbot.waitUntil(lambda: s.rating.pages.currentIndex() == 1, timeout=WAIT_MS)
    wait_idle_tasks(qtbot, window)
    ratings = queued(window.core, "rating")
    assert len(ratings) == before + 1
    return ratings[-1]


def finish_filing(qtbot, window) -> None:
    s = window.screens
    qtbot.waitUntil(lambda: window.nav.current is s.receipt and s.receipt.done_button.isEnabled(), timeout=WAIT_MS)
    tap(qtbot, s.receipt.done_button)


# --- 好差评 after every service ---------------------------------------------------------------------------------

def test_a_bad_rating_is_submitted_only_with_a_reason_or_other_with_words(qtbot, window, core):
    s = window.screens
    go_to_form(qtbot, window, core)
    item_id = window.resident.session.item.id
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    finish_filing(qtbot, window)
    wait_screen(qtbot, window, s.rating)
    tap(qtbot, s.rating.levels.button(2))
    assert not s.rating.submit_button.isEnabled() and s.rating.need_reason.isVisible()
    other = next(t for t in reason_toggles(s.rating) if t.property("code") == "other")
    tap_laid_out(qtbot, other)   # new toggles are shown and sized by the next event loop pass
    assert s.rating.other.isVisible() and not s.rating.submit_button.isEnabled()
    type_text(s.rating.other, "等了二十分钟")
    assert s.rating.submit_button.isEnabled() and not s.rating.need_reason.isVisible()
    tap(qtbot, s.rating.submit_button)
    qtbot.waitUntil(lambda: s.rating.pages.currentIndex() == 1, timeout=WAIT_MS)
    wait_idle_tasks(qtbot, window)
    [payload] = queued(core, "rating")
    assert (payload["level"], payload["reasons"], payload["comment"]) == (2, ["other"], "等了二十分钟")
    assert payload["service"] == "application" and payload["item_id"] == item_id
    tap(qtbot, button_with_text(s.rating, "返回首页"))
    wait_screen(qtbot, window, s.home)
    assert s.rating.other.text() == ""


def test_a_certificate_request_ends_with_a_rating(qtbot, window, core):
    s = window.screens
    window.browse.open_item("zm.hj_proof")
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    fill_valid(s.form)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    finish_filing(qtbot, window)
    payload = rate(qtbot, window, 4)
    assert payload["service"] == "certificate_request" and payload["item_id"] == "zm.hj_proof"


def test_an_agents_filing_is_rated_by_the_resident(qtbot, window, core):
    s = window.screens
    logged_in(qtbot, window, core)
    item = desk_to_form(qtbot, window, core)
    form_to_consent(qtbot, window)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    finish_filing(qtbot, window)
    payload = rate(qtbot, window, 3, "slow")
    assert payload["service"] == "agent_filing" and payload["item_id"] == item.id and payload["reasons"] == ["slow"]
    tap(qtbot, button_with_text(s.rating, "返回首页"))
    wait_screen(qtbot, window, s.agent_home)


def test_a_bundle_ends_with_a_rating(qtbot, window, core):
    s = window.screens
    logged_in(qtbot, window, core)
    window.browse.open_bundle("newborn")
    wait_screen(qtbot, window, s.items)
    tap(qtbot, s.items.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    form_to_consent(qtbot, window)
    sign(qtbot, s.consent.pad)
    tap(qtbot, s.consent.sign_button)
    finish_filing(qtbot, window)
    assert rate(qtbot, window, 5)["service"] == "bundle"


def test_a_progress_query_and_a_printed_certificate_end_with_a_rating(qtbot, window, core):
    s = window.screens
    app = core.store.submit("zm.hj_proof", "户籍证明开具", Identity("idcard", "王海生", "330902196803121232"), {})
    screen = s.progress
    window.nav.open(lambda: screen)
    screen.box.setText(app.receipt_no)
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    assert screen.rate_button.isVisible()
    tap_laid_out(qtbot, screen.rate_button)
    payload = rate(qtbot, window, 5)
    assert payload["service"] == "progress_query" and payload["item_name"] == "户籍证明开具"
    assert payload["application_id"] is None
    tap(qtbot, button_with_text(s.rating, "返回首页"))
    wait_screen(qtbot, window, s.home)

    now = datetime.now(timezone.utc).isoformat()
    with core.store.db.conn:
        core.store.db.conn.execute("INSERT INTO record_status (record_id, status, note, at, received_at)"
                                   " VALUES (?, 'certificate_issued', '', ?, ?)", (app.id, now, now))
        core.store.db.conn.execute("INSERT INTO certificates (record_id, number, title, text, issuer, holder_masked,"
                                   " issued_at) VALUES (?, 'DH-ZM-7', '户籍证明', '兹证明。', '定海分局', '王**', ?)",
                                   (app.id, now))
    window.nav.open(lambda: screen)
    screen.box.setText(app.receipt_no)
    with qtbot.waitSignal(screen.answered, timeout=WAIT_MS):
        screen.ask()
    with qtbot.waitSignal(screen.print_finished, timeout=WAIT_MS):
        tap(qtbot, screen.print_button)
    tap_laid_out(qtbot, screen.rate_button)
    assert rate(qtbot, window, 4)["service"] == "certificate_print"


def test_a_booking_ends_with_the_residents_rating(qtbot, window, core):
    pulled(core, "s-free", hours=2)
    screen = to_booking(qtbot, window, core, "home_visit_button")
    qtbot.waitUntil(lambda: slot_button(screen, "s-free") is not None, timeout=WAIT_MS)
    tap(qtbot, slot_button(screen, "s-free"))
    screen.name.setText("王阿婆")
    screen.phone.setText("13812345678")
    screen.address.setText("长岛村东路12号")
    tap(qtbot, screen.book_button)
    qtbot.waitUntil(lambda: screen.result.isVisible(), timeout=WAIT_MS)
    tap_laid_out(qtbot, screen.rate_button)
    payload = rate(qtbot, window, 5)
    assert payload["service"] == "booking" and "王阿婆" not in json.dumps(payload, ensure_ascii=False)
    tap(qtbot, button_with_text(window.screens.rating, "返回首页"))
    wait_screen(qtbot, window, window.screens.agent_home)


def test_a_need_ends_with_the_residents_rating(qtbot, window, core):
    form = open_form(qtbot, window, core)
    tap(qtbot, button_with_text(form, "生活照料"))
    type_text(form.description, "独居老人家中水管爆裂需要维修")
    type_text(form.contact, PHONE)
    type_text(form.location, "长岛村北弄17号")
    tap(qtbot, form.submit_button)
    qtbot.waitUntil(lambda: form.saved.isVisible(), timeout=WAIT_MS)
    tap_laid_out(qtbot, form.rate_button)
    payload = rate(qtbot, window, 1, "not_done")
    assert payload["service"] == "need" and PHONE not in json.dumps(payload)


# --- 办不成事 on every screen -----------------------------------------------------------------------------------

def test_every_screen_the_window_builds_offers_the_report_and_comes_back_to_it(qtbot, window, core):
    s = window.screens
    assert window.reports.button in window.help_bar.findChildren(type(window.reports.button))
    for name, screen in vars(s).items():
        if screen is s.report:
            continue
        window.nav.open(lambda screen=screen: screen)
        wait_screen(qtbot, window, screen)
        assert window.reports.button.isVisible(), name
        tap(qtbot, window.reports.button)
        wait_screen(qtbot, window, s.report)
        assert window.reports.origin[0] == name
        tap(qtbot, s.report.cancel_button)
        wait_screen(qtbot, window, screen)
    window.nav.open(lambda: s.report)
    tap(qtbot, window.reports.button)               # on the report screen itself: nothing happens
    assert window.nav.current is s.report


def test_a_report_from_the_form_is_stored_with_codes_then_the_resident_carries_on(qtbot, window, core, caplog):
    caplog.set_level(logging.DEBUG)
    s = window.screens
    go_to_form(qtbot, window, core)
    item_id = window.resident.session.item.id
    tap(qtbot, window.reports.button)
    wait_screen(qtbot, window, s.report)
    assert not s.report.submit_button.isEnabled()
    tap(qtbot, button_with_text(s.report, "其他…"))
    assert not s.report.submit_button.isEnabled()            # 其他 needs a few words
    type_text(s.report.text, WORDS)
    for digit in "1395701":
        tap(qtbot, button_with_text(s.report.keypad, digit))
    tap(qtbot, s.report.submit_button)
    qtbot.waitUntil(lambda: s.report.phone_error.isVisible(), timeout=WAIT_MS)
    assert s.report.text.text() == WORDS and s.report.phone.text() == "1395701"   # nothing typed is lost
    assert queued(core, "report") == []
    for digit in "2345":
        tap(qtbot, button_with_text(s.report.keypad, digit))
    with qtbot.waitSignal(window.reports.filed, timeout=WAIT_MS):
        tap(qtbot, s.report.submit_button)
    assert s.report.pages.currentIndex() == 1 and "回复您" in s.report.thanks_next.text()
    [payload] = queued(core, "report")
    assert (payload["reason"], payload["screen"], payload["service"]) == ("other", "form", item_id)
    assert (payload["text"], payload["phone"]) == (WORDS, PHONE)
    dumped = json.dumps(payload, ensure_ascii=False)
    assert DEMO_NAME not in dumped and DEMO_ID not in dumped and "王**" not in dumped
    actions = core.store.db.execute("SELECT action, outcome FROM audit WHERE action=?",
                                    (audit.REPORT_FILED,)).fetchall()
    assert actions == [(audit.REPORT_FILED, "other")]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in logged and WORDS not in logged and "report filed: reason=other screen=form" in logged
    tap(qtbot, s.report.back_to_button)
    wait_screen(qtbot, window, s.form)                       # back where the resident was, still filing
    assert window.resident.session is not None and s.report.phone.text() == "" and s.report.text.text() == ""


def test_an_idle_wipe_clears_a_half_typed_report(qtbot, window, core):
    s = window.screens
    tap(qtbot, window.reports.button)
    wait_screen(qtbot, window, s.report)
    s.report.choose("machine_fault")
    type_text(s.report.text, WORDS)
    s.report.phone.setText(PHONE)
    window.wipe()
    wait_screen(qtbot, window, s.home)
    assert WORDS not in " ".join(window.visible_texts()) and PHONE not in " ".join(window.visible_texts())
    assert s.report.reason() == ""

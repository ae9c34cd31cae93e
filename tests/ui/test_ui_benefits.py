"""免申即享 on the receipt screen: ask → consent → matches → one tap → a sealed benefit_claim in the outbox;
declining stores nothing; the same resident is not offered it again; the session's end wipes it all."""
from __future__ import annotations

import json

from ui_helpers import (DEMO_ID, DEMO_NAME, WAIT_MS, button_with_text, go_to_confirm, joined_texts, tap,
                        wait_idle_tasks, wait_screen)

from kiosk.benefit_claims import KIND, MARKER_KEY
from local_db.sealing import payload_context


def to_receipt(qtbot, window, core) -> None:
    s = window.screens
    go_to_confirm(qtbot, window, core)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.receipt)
    qtbot.waitUntil(lambda: s.receipt.done_button.isEnabled(), timeout=WAIT_MS)


def claims(core) -> list[dict]:
    rows = core.store.db.execute("SELECT record_id, payload FROM outbox WHERE kind=?", (KIND,)).fetchall()
    return [json.loads(core.store.sealer.open(p, payload_context(rid))) for rid, p in rows]


def open_offer(qtbot, window) -> None:
    offer = window.benefits.offer
    qtbot.waitUntil(lambda: offer.isVisible(), timeout=WAIT_MS)
    assert "免申即享" in offer.text()
    tap(qtbot, offer)
    wait_screen(qtbot, window, window.screens.benefits)


def agree_as_veteran(qtbot, window) -> None:
    b = window.screens.benefits
    b.answer("veteran", True)
    b.answer("disability", False)
    tap(qtbot, b.agree_button)
    qtbot.waitUntil(lambda: b.pages.currentIndex() == 1, timeout=WAIT_MS)


def test_consent_then_one_tap_stores_a_claim_shown_on_the_receipt(qtbot, window, core):
    s = window.screens
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    asked = joined_texts(s.benefits)
    assert "来自您的证件：年龄（由证件上的出生日期算出）、性别、证件上的住址（户籍所在地）" in asked and "以下情况由您自己告诉我们，工作人员会核实" in asked
    assert "您是退役军人吗？" in asked and DEMO_NAME not in asked and DEMO_ID not in asked
    assert claims(core) == []                       # asking stores nothing

    agree_as_veteran(qtbot, window)
    shown = joined_texts(s.benefits)
    assert "退役军人优待证" in shown and "区退役军人事务局" in shown
    assert "高龄津贴" not in shown                   # the demo card's holder is 58
    claim, done = s.benefits.cards["veteran_card"]
    tap(qtbot, claim)
    qtbot.waitUntil(lambda: done.isVisible(), timeout=WAIT_MS)
    [payload] = claims(core)
    assert payload["benefit_id"] == "veteran_card" and payload["declared"] == {"veteran": True}
    assert payload["applicant"] == {"name": DEMO_NAME, "id_number": DEMO_ID, "doc_type": "resident"}
    assert payload["rules_version"] == "seed"

    tap(qtbot, s.benefits.done_button)
    wait_screen(qtbot, window, s.receipt)
    assert "✓ 已登记 1 项待遇" in window.benefits.offer.text() and not window.benefits.offer.isEnabled()
    assert window.height() <= 800
    tap(qtbot, s.receipt.done_button)
    wait_screen(qtbot, window, s.rating)
    tap(qtbot, s.rating.skip_button)
    wait_screen(qtbot, window, s.home)
    wait_idle_tasks(qtbot, window)
    assert "退役军人优待证" not in joined_texts(window) and window.benefits._declared == {}


def test_declining_stores_nothing_and_the_service_goes_on(qtbot, window, core):
    s = window.screens
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    s.benefits.answer("veteran", True)
    tap(qtbot, s.benefits.decline_button)
    wait_screen(qtbot, window, s.receipt)
    assert not window.benefits.offer.isVisible()     # offered once per service
    wait_idle_tasks(qtbot, window)
    assert claims(core) == []
    assert core.store.db.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'benefits.%'").fetchone()[0] == 0
    tap(qtbot, s.receipt.done_button)
    wait_screen(qtbot, window, s.rating)


def test_the_same_resident_is_not_offered_again_what_they_claimed(qtbot, window, core):
    s = window.screens
    for _ in range(2):
        to_receipt(qtbot, window, core)
        open_offer(qtbot, window)
        agree_as_veteran(qtbot, window)
        if "veteran_card" in s.benefits.cards:
            tap(qtbot, button_with_text(s.benefits, "我要享受"))
            qtbot.waitUntil(lambda: len(claims(core)) == 1, timeout=WAIT_MS)
        tap(qtbot, s.benefits.done_button)
        wait_screen(qtbot, window, s.receipt)
        window.resident.finish()
        wait_screen(qtbot, window, s.home)
    assert len(claims(core)) == 1
    assert core.store.db.execute("SELECT COUNT(*) FROM meta WHERE key=?", (MARKER_KEY,)).fetchone()[0] == 1


def test_the_second_visit_says_what_was_claimed_before(qtbot, window, core):
    s = window.screens
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    agree_as_veteran(qtbot, window)
    tap(qtbot, s.benefits.all_button if s.benefits.all_button.isVisible() else s.benefits.cards["veteran_card"][0])
    qtbot.waitUntil(lambda: len(claims(core)) >= 1, timeout=WAIT_MS)
    window.resident.finish()
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    agree_as_veteran(qtbot, window)
    assert "另有 1 项您此前已在本机确认过" in joined_texts(s.benefits) and "veteran_card" not in s.benefits.cards


def test_english_benefit_texts_follow_the_language(qtbot, window, core):
    s = window.screens
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    agree_as_veteran(qtbot, window)
    window.prefs.set_language("en")
    qtbot.waitUntil(lambda: "Veteran's preferential card" in joined_texts(s.benefits), timeout=WAIT_MS)


def test_an_idle_wipe_on_the_matches_forgets_everything(qtbot, window, core):
    s = window.screens
    to_receipt(qtbot, window, core)
    open_offer(qtbot, window)
    agree_as_veteran(qtbot, window)
    window.wipe()
    wait_screen(qtbot, window, s.home)
    wait_idle_tasks(qtbot, window)
    assert s.benefits.cards == {} and s.benefits.answers == {} and window.benefits._declared == {}
    assert window.benefits._shown == () and not window.benefits.offer.isVisible()
    assert "退役军人优待证" not in "\n".join(window.visible_texts())
    assert claims(core) == []

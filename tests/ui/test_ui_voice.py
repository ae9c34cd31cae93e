"""Voice guidance in the window: each step read aloud through the simulated speaker (real espeak-ng WAVs),
再听一遍, elderly mode turning voice on, nothing personal said, and a missing espeak-ng never in the way."""
from __future__ import annotations

import shutil

import pytest
from ui_helpers import (DEMO_ID, DEMO_NAME, WAIT_MS, button_with_text, fill_valid, go_to_form, ready_item_id, tap,
                        wait_screen)

from kiosk.voice_synth import wav_info

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (setup.sh)")


def played(core) -> list:
    return core.speaker.played


def last_said(core) -> str:
    return played(core)[-1].text if played(core) else ""


def wait_said(qtbot, core, text_of) -> None:
    """Until the latest clip the speaker got is what `text_of()` says now."""
    qtbot.waitUntil(lambda: last_said(core) == text_of(), timeout=WAIT_MS)


def voice_on(qtbot, window) -> None:
    tap(qtbot, window.voice.toggle)
    assert window.prefs.current.voice


def test_the_help_strip_offers_replay_and_voice_on_off_with_names(window):
    voice = window.voice
    assert voice.replay_button.parentWidget() is window.help_bar and window.help_bar.isVisible()
    assert voice.replay_button.accessibleName() == "再听一遍语音提示"
    assert voice.toggle.accessibleName() == "语音播报开关"
    assert voice.toggle.text() == "语音：关" and not voice.toggle.isChecked()   # words, not colour alone


def test_navigating_speaks_the_new_screen_through_the_speaker(qtbot, window, core):
    voice_on(qtbot, window)
    wait_said(qtbot, core, window.screens.home.spoken_text)
    assert "请问您要办什么事" in played(core)[-1].text
    window.browse.open_item(ready_item_id(core))
    detail = window.screens.detail
    wait_said(qtbot, core, detail.spoken_text)
    assert detail.title.text() in played(core)[-1].text and "办理时限" in played(core)[-1].text
    wav = played(core)[-1].path.read_bytes()
    assert 3.0 < wav_info(wav).duration_s < 60.0      # a real spoken summary landed in the sink


def test_replay_repeats_the_last_utterance_from_the_cache(qtbot, window, core):
    voice_on(qtbot, window)
    wait_said(qtbot, core, window.screens.home.spoken_text)
    outcomes = []
    window.voice.spoken.connect(outcomes.append)
    count = len(played(core))
    tap(qtbot, window.voice.replay_button)
    qtbot.waitUntil(lambda: len(played(core)) == count + 1, timeout=WAIT_MS)
    first, again = played(core)[-2], played(core)[-1]
    assert again.key == first.key and again.path.read_bytes() == first.path.read_bytes()
    window.voice.guide.stop()                            # no need to hear it out: the outcome comes at once
    qtbot.waitUntil(lambda: any(o.cached for o in outcomes), timeout=WAIT_MS)


def test_voice_off_says_nothing_and_replay_still_reads_the_screen_once(qtbot, window, core):
    window.browse.open_item(ready_item_id(core))
    qtbot.wait(300)
    assert played(core) == []
    tap(qtbot, window.voice.replay_button)              # asked for explicitly
    wait_said(qtbot, core, window.screens.detail.spoken_text)
    assert not window.prefs.current.voice


def test_elderly_mode_turns_voice_on_unless_the_resident_turned_it_off(qtbot, window):
    prefs = window.prefs
    prefs.set_elderly(True)
    qtbot.waitUntil(lambda: prefs.current.voice, timeout=WAIT_MS)
    assert window.voice.toggle.isChecked() and window.voice.toggle.text() == "语音：开"
    tap(qtbot, window.voice.toggle)                     # this resident does not want it
    prefs.set_elderly(False)
    prefs.set_elderly(True)
    qtbot.wait(100)
    assert not prefs.current.voice
    window.forget_resident()                            # the next resident: elderly mode speaks again
    prefs.set_elderly(True)
    qtbot.waitUntil(lambda: prefs.current.voice, timeout=WAIT_MS)


def test_an_error_panel_reads_what_went_wrong_and_what_to_do(qtbot, window, core):
    voice_on(qtbot, window)
    identify = window.screens.identify
    window.browse.open_item(ready_item_id(core))
    tap(qtbot, window.screens.detail.apply_button)
    wait_screen(qtbot, window, identify)
    core.devices.sims.qr.show("HELLO-NOT-A-ZLB-CODE")
    tap(qtbot, identify.qr_button)
    qtbot.waitUntil(identify.error.isVisible, timeout=WAIT_MS)
    error = "无法识别此二维码\n请打开浙里办‘亮证’后重试"
    qtbot.waitUntil(lambda: last_said(core) == error, timeout=WAIT_MS)
    qtbot.wait(800)                                      # the page flipping back to the choices does not talk over it
    assert last_said(core) == error


def test_the_whole_resident_path_speaks_guidance_and_nothing_personal(qtbot, window, core):
    voice_on(qtbot, window)
    s = window.screens
    go_to_form(qtbot, window, core)
    wait_said(qtbot, core, s.form.spoken_text)
    line = next(e.line for e in s.form.editors.values() if e.line is not None)
    line.setFocus()                                      # the field being filled is named
    qtbot.waitUntil(lambda: last_said(core).startswith("请填写："), timeout=WAIT_MS)
    fill_valid(s.form)
    typed = [e.value() for e in s.form.editors.values() if e.value()]
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    wait_said(qtbot, core, s.confirm.spoken_text)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.receipt)
    qtbot.waitUntil(lambda: "请取走回执" in last_said(core), timeout=WAIT_MS)
    receipt_no = s.receipt.receipt_no.text()
    assert receipt_no in played(core)[-1].text           # the receipt number helps and names no one
    said = "\n".join(p.text for p in played(core))
    personal = [DEMO_NAME, DEMO_ID, "王**", "330***********1232", "13800000000", *[t for t in typed if len(t) > 1]]
    assert [p for p in personal if p in said] == []
    tap(qtbot, s.receipt.done_button)
    wait_screen(qtbot, window, s.rating)
    wait_said(qtbot, core, s.rating.spoken_text)


def test_a_missing_espeak_shows_nothing_and_the_flow_goes_on(qtbot, window, core, tmp_path, caplog):
    window.voice.guide.synth.binary = str(tmp_path / "espeak-ng-not-installed")
    failures = []
    window.voice.failed.connect(failures.append)
    voice_on(qtbot, window)
    go_to_form(qtbot, window, core)
    qtbot.waitUntil(lambda: failures == ["espeak_missing"] or len(failures) > 1, timeout=WAIT_MS)
    assert set(failures) == {"espeak_missing"}
    assert played(core) == []
    assert "espeak" not in "\n".join(window.visible_texts()).lower()
    fill_valid(window.screens.form)
    tap(qtbot, window.screens.form.next_button)
    wait_screen(qtbot, window, window.screens.confirm)   # the resident goes on, unaware
    assert "请核对" not in caplog.text


def test_a_new_session_forgets_the_last_prompt(qtbot, window, core):
    voice_on(qtbot, window)
    window.browse.open_item(ready_item_id(core))
    wait_said(qtbot, core, window.screens.detail.spoken_text)
    window.forget_resident()
    assert window.voice.guide.last is None and not window.prefs.current.voice


def test_staff_screens_are_not_read_aloud(qtbot, window, core):
    voice_on(qtbot, window)
    wait_said(qtbot, core, window.screens.home.spoken_text)
    count = len(played(core))
    tap(qtbot, window.screens.home.staff_button)
    wait_screen(qtbot, window, window.screens.agent_login)
    qtbot.wait(300)
    assert len(played(core)) == count


def test_english_sessions_speak_in_english(qtbot, window, core):
    voice_on(qtbot, window)
    window.prefs.set_language("en")
    qtbot.waitUntil(lambda: window.voice.guide.last is not None and window.voice.guide.last.language == "en",
                    timeout=WAIT_MS)
    assert button_with_text(window.help_bar, "Hear again")   # the help strip re-rendered in English

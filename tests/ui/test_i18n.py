"""Languages: the English translator, the in-place switch mid-flow and back, the language button, and the whole
screenshot tour in English with no Chinese left that is not data."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit
from ui_helpers import WAIT_MS, tap, wait_screen

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def back_to_chinese():
    yield
    from ui.i18n import install

    install("zh")   # the translator is the shared application's: leave it as found


def shown(window) -> list[tuple[str, str]]:
    """(kind, text) of every visible label, button and placeholder, in widget order."""
    found = []
    for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        if widget.isVisible() and widget.text():
            found.append((type(widget).__name__, widget.text()))
    for line in window.findChildren(QLineEdit):
        if line.isVisible() and line.placeholderText():
            found.append(("placeholder", line.placeholderText()))
    return found


def open_form(qtbot, window, core):
    s = window.screens
    item = next(i for i in core.catalog.items.values() if i.kiosk_ready and i.name == "社会保障卡申领")
    window.browse.open_item(item.id)
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    return item


def test_switching_on_the_form_rerenders_it_and_switching_back_restores_the_chinese(qtbot, window, core):
    s = window.screens
    open_form(qtbot, window, core)
    s.form.next_button.click()   # errors shown too: a text made from a template with a number
    before = shown(window)
    assert any("处需要修改" in text for _, text in before)
    tap(qtbot, window.languages.button)
    assert window.prefs.current.language == "en"
    english = dict.fromkeys(text for _, text in shown(window))
    assert "Fill in the application: Apply for a social security card" in english
    assert "Next: check your details" in english and "‹ Back" in english and "⌂ Home" in english
    assert any(re.fullmatch(r"! \d+ item\(s\) need changing; see the red notes", t) for t in english)
    assert "How to get the card" in english and "Post it to my home" in english
    assert window.languages.button.text() == "中文"
    leftovers = [t for t in english if HAN.search(t) and "王**" not in t and t not in
                 (core.config["station_name"], "中文")]
    assert leftovers == []
    # what a choice files is still the catalog's Chinese option
    editor = next(e for e in s.form.editors.values() if e.choices is not None)
    editor.choices.buttons()[0].setChecked(True)
    assert editor.value() == "邮寄到家"
    editor.choices.buttons()[0].setChecked(False)
    editor.choices.setExclusive(False)
    editor.choices.buttons()[0].setChecked(False)
    editor.choices.setExclusive(True)
    tap(qtbot, window.languages.button)
    assert window.prefs.current.language == "zh"
    assert shown(window) == before


def test_switching_on_the_rating_screen_and_texts_made_after_the_switch(qtbot, window, core):
    s = window.screens
    s.rating.reset()
    window.nav.open(lambda: s.rating)
    before = shown(window)
    window.prefs.set_language("en")
    texts = [t for _, t in shown(window)]
    assert "Please rate this service" in texts
    assert any(t.startswith("★★★★★") and t.endswith("Very satisfied") for t in texts)
    s.rating.choose_level(2)   # made after the switch: comes out in English straight away
    assert "What could be better? (choose at least one)" in [t for _, t in shown(window)]
    s.rating.choose_level(5)
    window.prefs.set_language("zh")
    assert "哪些方面让您满意？（可多选，也可不选）" in [t for _, t in shown(window)]
    assert not any(t == "Please rate this service" for _, t in shown(window))
    assert [t for t in before if t in shown(window)] == before   # the Chinese from before is all back


def test_a_reset_goes_back_to_the_station_language_and_the_clock_follows(qtbot, window):
    window.prefs.set_language("en")
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d", window.status_bar.clock.text())
    window.forget_resident()
    assert window.prefs.current.language == "zh"
    assert "月" in window.status_bar.clock.text() and window.languages.button.text() == "English"
    assert window.languages.button.accessibleName()


def test_the_station_can_start_in_english(qtbot, core_factory):
    from ui_helpers import open_window

    core = core_factory(default_language="en")
    win = open_window(qtbot, core)
    try:
        texts = [t for _, t in shown(win)]
        assert "Hello! What would you like to do today?" in texts and "I want a certificate" in texts
    finally:
        win.shutdown()


def _derived_screen():
    from ui.widgets import Screen

    class _Derived(Screen):   # a screen defined elsewhere: its 返回 / 首页 are the base class's strings
        pass

    return _Derived()


def test_strings_of_a_base_class_translate_under_the_subclass_and_module_level_contexts(qapp):
    from ui.i18n import install

    install("en")
    screen = _derived_screen()
    assert (screen.back_button.text(), screen.home_button.text()) == ("‹ Back", "⌂ Home")
    assert QCoreApplication.translate("Booking", "请选择其他时段。") == "Please choose another time slot."
    assert QCoreApplication.translate("DatabasePanel", "完整（%n 条）", None, 3) == "complete (3 entries)"
    assert QCoreApplication.translate("Nowhere", "不在译文里的话") == "不在译文里的话"
    assert QCoreApplication.translate("OutOfService", "本机暂停服务") == "This terminal is out of service"
    install("zh")
    assert _derived_screen().back_button.text() == "‹ 返回"


def test_templates_map_both_ways_with_values_translated_too(qapp):
    from ui.i18n import convert

    assert convert("○ 离线 · 待上报 3 件，最早等了25分钟", "en") == "○ Offline · 3 waiting to report, oldest for 25 min"
    assert convert("○ Offline · 3 waiting to report, oldest for 25 min", "zh") == "○ 离线 · 待上报 3 件，最早等了25分钟"
    assert convert("王海生的地址", "en") == "王海生的地址"   # data is left alone


def test_the_whole_tour_in_english_leaves_no_chinese_but_data(qapp, tmp_path):
    """(c) every screen of ui.shots' tour, in English: labels and buttons hold no Chinese except resident data,
    the station's name and catalog text the catalog has no English for."""
    from ui.shots import PASSES, run_pass

    untranslated: list[str] = []
    files = run_pass(tmp_path, next(p for p in PASSES if p.name == "en"), untranslated)
    assert len(files) > 20
    assert untranslated == []

"""The on-screen keyboard (ui/osk.py): Qt Virtual Keyboard docked in the window, typing into the screens' fields.

Keys are pressed the way a tap on them does (the input engine's virtual key click), fields and buttons are tapped
with the mouse; a filter proves no key event from a physical keyboard was involved.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit
from ui_helpers import (DEMO_ID, WAIT_MS, button_with_text, go_to_form, joined_texts, ready_item_id, tap,
                        wait_idle_tasks, wait_screen)

from ui.osk import input_method_ready
from ui.widgets import RowButton

pytestmark = pytest.mark.skipif(not input_method_ready(), reason="Qt Virtual Keyboard is not the input method")


class PhysicalKeys(QObject):
    """Counts key presses that came from a keyboard device (spontaneous), not from the on-screen keyboard."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.spontaneous():
            self.count += 1
        return False


@pytest.fixture
def physical_keys():
    counter = PhysicalKeys()
    QApplication.instance().installEventFilter(counter)
    yield counter
    QApplication.instance().removeEventFilter(counter)


def touch_field(qtbot, window, field: QLineEdit) -> None:
    tap(qtbot, field)
    qtbot.waitUntil(lambda: window.osk.is_shown() and window.osk.field is field, timeout=WAIT_MS)


def pinyin_word(qtbot, panel, letters: str, word: str) -> None:
    """Type `letters` on the pinyin keys and tap the candidate `word`."""
    panel.set_layout("zh")
    panel.type_letters(letters)
    qtbot.waitUntil(lambda: word in panel.candidates(), timeout=WAIT_MS)
    panel.choose(panel.candidates().index(word))


def rows(screen) -> list[RowButton]:
    return [w for w in screen.findChildren(RowButton) if w.isVisible()]


def test_focusing_the_home_search_box_shows_the_docked_keyboard(qtbot, window):
    home = window.screens.home
    assert not window.osk.is_shown()
    touch_field(qtbot, window, home.search_box)
    panel = window.osk.panel
    assert panel.keys is not None and panel.keys.height() > 100
    # docked in the window, above the help strip: no keyboard window of its own
    layout = window.layout()
    assert layout.indexOf(panel) == layout.indexOf(window.help_bar) - 1
    assert not [w for w in QGuiApplication.topLevelWindows() if w.isVisible() and w is not window.windowHandle()]
    assert panel.chinese_button.isChecked()   # the session's language is Chinese
    # the panel tells what is edited, and offers the catalog's common words while the box is empty
    assert "要办的事" in panel.caption.text()   # the box's spoken name (or its placeholder)
    assert any(w.text() == "社保卡" for w in panel.words_row.findChildren(type(panel.done_button)))


def test_pinyin_shebao_finds_the_social_security_services(qtbot, window, core, physical_keys):
    s = window.screens
    touch_field(qtbot, window, s.home.search_box)
    panel = window.osk.panel
    panel.type_letters("shebao")
    qtbot.waitUntil(lambda: "社保" in panel.candidates(), timeout=WAIT_MS)
    assert "she" in panel.echo.text()   # the pinyin being composed is shown in the panel
    assert panel.words_row.isVisible()   # and its candidates, big
    panel.choose(panel.candidates().index("社保"))
    wait_screen(qtbot, window, s.search)
    assert s.search.box.text() == "社保"
    qtbot.waitUntil(lambda: s.search.status.text().startswith("“社保”找到"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any("社会保障卡" in r.text() for r in rows(s.search)), timeout=WAIT_MS)
    # typing goes on on the search screen's box, with the keyboard still up
    qtbot.waitUntil(lambda: window.osk.is_shown() and window.osk.field is s.search.box, timeout=WAIT_MS)
    assert physical_keys.count == 0


def test_english_letters_and_backspace(qtbot, window, physical_keys):
    s = window.screens
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    panel = window.osk.panel
    tap(qtbot, panel.english_button)
    assert panel.english_button.isChecked() and not panel.chinese_button.isChecked()
    panel.type_letters("sbkx")
    qtbot.waitUntil(lambda: s.search.box.text() == "sbkx", timeout=WAIT_MS)
    panel.backspace()
    qtbot.waitUntil(lambda: s.search.box.text() == "sbk", timeout=WAIT_MS)
    # letters are a way round pinyin: the search reads initials
    qtbot.waitUntil(lambda: any("社会保障卡" in r.text() for r in rows(s.search)), timeout=WAIT_MS)
    assert physical_keys.count == 0


def test_a_suggested_word_searches_in_one_tap(qtbot, window):
    s = window.screens
    touch_field(qtbot, window, s.home.search_box)
    tap(qtbot, button_with_text(window.osk.panel.words_row, "社保卡"))
    wait_screen(qtbot, window, s.search)
    assert s.search.box.text() == "社保卡"
    qtbot.waitUntil(lambda: any("社会保障卡" in r.text() for r in rows(s.search)), timeout=WAIT_MS)


def test_the_panel_hides_on_done_and_when_leaving_the_screen(qtbot, window):
    s = window.screens
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    window.osk.panel.type_letters("yibao")
    tap(qtbot, window.osk.panel.done_button)
    assert not window.osk.is_shown()
    assert window.osk.panel.echo.text() == "" and window.osk.panel.preedit() == ""
    assert not s.search.box.hasFocus()
    touch_field(qtbot, window, s.search.box)   # a tap on the field brings it back
    tap(qtbot, s.search.home_button)
    wait_screen(qtbot, window, s.home)
    qtbot.waitUntil(lambda: not window.osk.is_shown(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is None or not isinstance(QApplication.focusWidget(), QLineEdit)


def test_fields_with_their_own_keypad_keep_it(qtbot, window):
    s = window.screens
    tap(qtbot, s.home.staff_button)
    wait_screen(qtbot, window, s.agent_login)
    tap(qtbot, s.agent_login.account)
    assert s.agent_login.account.hasFocus()
    qtbot.wait(50)
    assert not window.osk.is_shown()
    assert s.agent_login.keypad.isVisible()


def test_session_wipe_clears_what_was_being_typed(qtbot, window):
    s = window.screens
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    panel = window.osk.panel
    pinyin_word(qtbot, panel, "wang", "王")
    panel.type_letters("hai")
    qtbot.waitUntil(lambda: panel.preedit() != "", timeout=WAIT_MS)
    window.forget_resident()
    qtbot.waitUntil(lambda: not window.osk.is_shown(), timeout=WAIT_MS)
    assert panel.preedit() == "" and panel.echo.text() == "" and panel.caption.text() == ""
    assert s.search.box.text() == "" and s.home.search_box.text() == ""
    assert not [w.text() for w in panel.findChildren(type(panel.done_button)) if w.property("role") == "osk-word"]


def test_pinyin_learns_nothing_from_one_resident_for_the_next(qtbot, window):
    """A name chosen character by character must not become the next resident's first candidate."""
    s = window.screens
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    panel = window.osk.panel
    panel.type_letters("shihaiyi")
    qtbot.waitUntil(lambda: bool(panel.candidates()), timeout=WAIT_MS)
    before = panel.candidates()[0]
    assert before != "石海义"
    for char in "石海义":
        qtbot.waitUntil(lambda char=char: any(c.startswith(char) for c in panel.candidates()), timeout=WAIT_MS)
        panel.choose(next(i for i, c in enumerate(panel.candidates()) if c.startswith(char)))
    qtbot.waitUntil(lambda: s.search.box.text() == "石海义", timeout=WAIT_MS)
    tap(qtbot, s.search.home_button)
    wait_screen(qtbot, window, s.home)
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    panel.type_letters("shihaiyi")
    qtbot.waitUntil(lambda: bool(panel.candidates()), timeout=WAIT_MS)
    assert panel.candidates()[0] == before


def test_elderly_mode_makes_the_keys_bigger_and_language_picks_the_layout(qtbot, window):
    s = window.screens
    window.browse.open_search("")
    wait_screen(qtbot, window, s.search)
    touch_field(qtbot, window, s.search.box)
    panel = window.osk.panel
    normal = panel.keys.height()
    window.prefs.set_elderly(True)
    qtbot.waitUntil(lambda: panel.keys.height() > normal * 1.15, timeout=WAIT_MS)
    window.prefs.set_language("en")
    assert panel.english_button.isChecked()
    panel.type_letters("id")
    qtbot.waitUntil(lambda: s.search.box.text() == "id", timeout=WAIT_MS)
    window.prefs.reset()
    assert panel.chinese_button.isChecked()
    qtbot.waitUntil(lambda: panel.keys.height() == normal, timeout=WAIT_MS)


def type_digits(panel, digits: str) -> None:
    for digit in digits:
        panel.tap_key(Qt.Key(int(Qt.Key.Key_0) + int(digit)), digit)


def fill_form_by_keyboard(qtbot, window) -> None:
    """Every editable field of the form through taps and the on-screen keyboard only."""
    form = window.screens.form
    for editor in form.editors.values():
        if editor.choices is not None:
            tap(qtbot, editor.choices.buttons()[0])
            continue
        touch_field(qtbot, window, editor.line)
        panel = window.osk.panel
        if editor.line.text():
            tap(qtbot, panel.clear_button)
            assert editor.line.text() == "" and editor.line.hasFocus()
        if editor.spec.kind in ("phone", "number"):
            type_digits(panel, "13800000000" if editor.spec.kind == "phone" else "3")
        elif editor.spec.kind == "date":
            type_digits(panel, "2024")
            panel.tap_key(Qt.Key.Key_Minus, "-")
            type_digits(panel, "05")
            panel.tap_key(Qt.Key.Key_Minus, "-")
            type_digits(panel, "01")
        else:
            for letters, char in (("ding", "定"), ("hai", "海"), ("yu", "渔"), ("gang", "港")):
                pinyin_word(qtbot, panel, letters, char)
            panel.set_layout("en")
            type_digits(panel, "18")
            pinyin_word(qtbot, panel, "hao", "号")
            qtbot.waitUntil(lambda: editor.line.text() == "定海渔港18号", timeout=WAIT_MS)
        assert editor.line.text()
    tap(qtbot, window.osk.panel.done_button)


def test_a_form_filled_with_the_keyboard_only_passes_validation(qtbot, window, core, physical_keys):
    s = window.screens
    go_to_form(qtbot, window, core)
    fill_form_by_keyboard(qtbot, window)
    phone = next(e for e in s.form.editors.values() if e.spec.kind == "phone")
    assert phone.line.text() == "13800000000"
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    assert not window.osk.is_shown()
    assert physical_keys.count == 0


def apply_from_the_results(qtbot, window, name: str, fill) -> None:
    """From the search results to the receipt by taps: the row `name`, 我要办理, the simulated ID card, the form
    (by `fill`), confirm."""
    s = window.screens
    tap(qtbot, window.osk.panel.done_button)   # the keyboard out of the way of the list
    tap(qtbot, next(r for r in rows(s.search) if r.text() == name))
    wait_screen(qtbot, window, s.detail)
    tap(qtbot, s.detail.apply_button)
    wait_screen(qtbot, window, s.identify)
    tap(qtbot, s.identify.card_button)
    wait_screen(qtbot, window, s.form)
    fill(qtbot, window)
    tap(qtbot, s.form.next_button)
    wait_screen(qtbot, window, s.confirm)
    tap(qtbot, s.confirm.confirm_button)
    wait_screen(qtbot, window, s.receipt)


def test_a_top_service_from_search_to_receipt_with_the_keyboard_only(qtbot, window, core, physical_keys):
    """Done-when: search → detail → identify (simulated ID card) → form → confirm → receipt, no physical key."""
    s = window.screens
    touch_field(qtbot, window, s.home.search_box)
    panel = window.osk.panel
    pinyin_word(qtbot, panel, "shebaoka", "社保卡")
    wait_screen(qtbot, window, s.search)
    qtbot.waitUntil(lambda: s.search.status.text().startswith("“社保卡”找到"), timeout=WAIT_MS)
    item = core.catalog.get(ready_item_id(core, "社保卡"))
    qtbot.waitUntil(lambda: any(r.text() == item.name for r in rows(s.search)), timeout=WAIT_MS)
    apply_from_the_results(qtbot, window, item.name, fill_form_by_keyboard)
    qtbot.waitUntil(lambda: "请取走回执" in s.receipt.print_text.text(), timeout=WAIT_MS)
    wait_idle_tasks(qtbot, window)
    saved = core.store.db.execute("SELECT item_id FROM applications").fetchall()
    assert saved == [(item.id,)]
    assert DEMO_ID not in joined_texts(window)
    assert physical_keys.count == 0


def fill_shown_pages_by_keyboard(qtbot, window) -> None:
    """Elderly mode's form: one question a page; each page's fields by the keyboard, then 下一页 ›."""
    form = window.screens.form
    while True:
        QApplication.processEvents()
        for editor in [e for e in form.editors.values() if e.isVisible()]:
            if editor.choices is not None:
                tap(qtbot, editor.choices.buttons()[0])
                continue
            touch_field(qtbot, window, editor.line)
            panel = window.osk.panel
            if editor.line.text():
                continue   # read from the card
            panel.set_layout("en")
            type_digits(panel, "13800000000" if editor.spec.kind == "phone" else "3")
            assert editor.line.text()
        if form.pager.isVisible() and form.pager.next.isEnabled():
            tap(qtbot, form.pager.next)
        else:
            break
    if window.osk.is_shown():
        tap(qtbot, window.osk.panel.done_button)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_elderly_resident_completes_a_top_service_in_either_language_by_voice_and_keyboard(
        qtbot, window, core, physical_keys, language):
    """Done-when: in either language and elderly mode (one tap from home, which turns voice guidance on), search
    by the on-screen keyboard, then detail → ID card → form → confirm → receipt, spoken step by step."""
    from ui.i18n import data_text

    s = window.screens
    tap(qtbot, s.home.elderly_tile)
    qtbot.waitUntil(lambda: window.prefs.current.elderly and window.prefs.current.voice, timeout=WAIT_MS)
    if language == "en":
        tap(qtbot, button_with_text(window.help_bar, "English"))
    assert window.prefs.current.language == language
    item = core.catalog.get(ready_item_id(core, "社保卡"))
    touch_field(qtbot, window, s.home.search_box)
    panel = window.osk.panel
    if language == "zh":
        pinyin_word(qtbot, panel, "shebaoka", "社保卡")
    else:   # the letters layout: the search reads pinyin initials
        panel.type_letters("sbk")
    wait_screen(qtbot, window, s.search)
    name = data_text(item.name)
    qtbot.waitUntil(lambda: any(r.text() == name for r in rows(s.search)), timeout=WAIT_MS)
    apply_from_the_results(qtbot, window, name, fill_shown_pages_by_keyboard)
    wait_idle_tasks(qtbot, window)
    assert core.store.db.execute("SELECT item_id FROM applications").fetchall() == [(item.id,)]
    guide = window.voice.guide
    qtbot.waitUntil(lambda: guide.last is not None and guide.last.language == language, timeout=WAIT_MS)
    assert window.prefs.current.elderly and physical_keys.count == 0

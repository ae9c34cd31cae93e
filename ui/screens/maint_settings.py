"""Maintenance tab 设置: every setting by group with its value and where it comes from; tap one to change it.

Each row is one button the width of the list: the setting's Chinese name (kiosk/settings_text.py) and its value
on one line, the Chinese description under it with the key in small type (what docs and support calls use). The
editor opens under the row it edits and fits the type: 开/关 for a switch, one button per choice, else a line
(with the on-screen keypad for numbers). What was entered is checked at once (kiosk/settings_edit.validate) and
the reason shown under the field; 保存 writes all pending changes or none and says which wait for a restart.
The logic is kiosk/settings_edit.py; this module only schedules it on the db lane and renders it.
"""
from __future__ import annotations

import logging
import re
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (QButtonGroup, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScroller,
                               QSizePolicy, QStyle, QStyleOptionButton, QStylePainter, QVBoxLayout, QWidget)

from kiosk.settings_edit import LAYER_NAMES, TYPE_NAMES, SaveResult, SettingRow, SettingsEditor, validate
from ui.keypad import Keypad
from ui.tasks import Tasks
from ui.widgets import button, clear_layout, label, scroll_area

log = logging.getLogger(__name__)

GROUP = "maint-settings"
_TYPES = {t.__name__: name for t, name in TYPE_NAMES.items()}
RESTING = QT_TRANSLATE_NOOP("SettingsPanel", "点一项设置即可修改；改好后点“保存”，重启本机后生效")
ON_OFF = (QT_TRANSLATE_NOOP("SettingsPanel", "开"), QT_TRANSLATE_NOOP("SettingsPanel", "关"))   # a bool's value words
# Rows and editor in the panel's own sheet: denser than the resident screens' rows, still finger-sized.
SHEET = """
QPushButton[role="setting"] { background: white; border: 2px solid #b8c3d3; border-radius: 10px; min-height: 64px;
    padding: 0; }
QPushButton[role="setting"]:pressed { background: #dbe6f5; }
QPushButton[role="setting"][editing="true"] { border: 3px solid #0b4ea2; }
QLabel[role="setting-name"] { font-size: 22px; font-weight: bold; color: #1f2933; }
QLabel[role="setting-value"] { font-size: 22px; color: #073a7a; }
QLabel[role="setting-key"] { font-size: 16px; color: #5b6472; font-family: monospace; }
QFrame[role="editor"] { background: #f4f7fb; border: 2px solid #0b4ea2; border-radius: 10px; }
QPushButton[role="key"], QPushButton[role="key-small"], QPushButton[role="key-action"] { min-height: 46px;
    padding: 0; font-size: 26px; }
"""


def _breakable(text: str) -> str:
    """Long runs without spaces (keys, URLs, paths) get zero-width break points, so a row never outgrows the list."""
    return re.sub(r"(\S{16})(?=\S)", "\\1\u200b", text)


class SettingButton(QPushButton):
    """One setting as a tappable row: name and value on a line, the description and the key under them.

    text() is the name and value (automation and accessibility find the row by it); the labels draw the row.
    """

    def __init__(self, row: SettingRow, value: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "setting")
        self.setProperty("setting", row.key)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)   # the list's width, no more
        self.name = label(row.name or row.key, "setting-name", wrap=False)
        self.value = label("", "setting-value")
        self.description = label(_breakable(row.description_zh or row.description), "small")
        self.key = label(row.key, "setting-key", wrap=False)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.name, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.value, 1)
        bottom.setSpacing(16)
        bottom.addWidget(self.description, 1)
        bottom.addWidget(self.key, 0, Qt.AlignmentFlag.AlignBottom)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 8, 16, 8)
        box.setSpacing(2)
        box.addLayout(top)
        box.addLayout(bottom)
        for child in self.findChildren(QLabel):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.show_value(value)

    def show_value(self, value: str) -> None:
        self.value.setText(_breakable(value))
        self.setText(f"{self.name.text()}（{self.key.text()}）：{value}")

    def set_editing(self, editing: bool) -> None:
        self.setProperty("editing", editing)
        self.style().unpolish(self)
        self.style().polish(self)

    def paintEvent(self, event) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""          # the labels show the text, wrapped
        QStylePainter(self).drawControl(QStyle.ControlElement.CE_PushButton, option)

    def sizeHint(self):
        return self.layout().sizeHint()

    def minimumSizeHint(self):
        return self.layout().minimumSize()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.layout().totalHeightForWidth(width)


class EditorFrame(QFrame):
    """The editor's frame: entry and keypad side by side on the kiosk's 1280 px screen, stacked when narrower."""
    SIDE_BY_SIDE_MIN = 1000

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "editor")
        self.columns = QHBoxLayout()
        self.columns.setDirection(QHBoxLayout.Direction.TopToBottom)   # until a resize says there is room

    def resizeEvent(self, event) -> None:
        wide = event.size().width() >= self.SIDE_BY_SIDE_MIN
        self.columns.setDirection(QHBoxLayout.Direction.LeftToRight if wide else QHBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)


class SettingsPanel(QWidget):
    saved = Signal(object)   # the SaveResult, once shown

    def __init__(self, core, tasks: Tasks, technician: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.title = self.tr("设置")
        self.core, self.tasks, self.technician = core, tasks, technician
        self.editor: SettingsEditor | None = None
        self.rows: dict[str, SettingRow] = {}
        self.row_buttons: dict[str, QWidget] = {}
        self.changes: dict[str, str | None] = {}
        self.current: SettingRow | None = None
        self.choice_group = QButtonGroup(self)
        self._build()

    # --- layout ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setStyleSheet(SHEET)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        content = QWidget()
        self.list_rows = QVBoxLayout(content)
        self.list_rows.setContentsMargins(0, 0, 12, 0)   # clear of the scroll bar
        self.list_rows.setSpacing(8)
        self.area = scroll_area(content)
        outer.addWidget(self.area, 1)
        self.edit_frame = self._editor_frame()
        self.edit_frame.setParent(content)
        self.status = label("")
        self.save_button = button(self.tr("保存"), "primary")
        self.save_button.clicked.connect(self.save)
        self.discard_button = button(self.tr("放弃修改"))
        self.discard_button.clicked.connect(self.discard)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.save_button)
        outer.addLayout(bottom)
        self._update_pending()

    def _editor_frame(self) -> QFrame:
        """Type, default, source and choices; the choice buttons or the line (and keypad for numbers); the reason
        a value was refused; 取消 / 恢复默认 / 确定. It is moved under the row being edited."""
        frame = EditorFrame()
        self.edit_meta = label("", "small")
        self.edit_english = label("", "small")
        self.choices_box = QHBoxLayout()
        self.line = QLineEdit()
        self.keypad = Keypad()
        self.keypad.typed.connect(self.line.insert)
        self.keypad.erased.connect(self.line.backspace)
        self.keypad.cleared.connect(self.line.clear)
        self.reason = label("", "error")
        self.reason.hide()                # shown only with a reason: an empty red box reads as an error
        self.apply_button = button(self.tr("确定"), "primary")
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = button(self.tr("恢复默认"))
        self.reset_button.clicked.connect(self.reset_local)
        self.close_button = button(self.tr("取消"))
        self.close_button.clicked.connect(self.close_editor)
        entry = QVBoxLayout()
        entry.addLayout(self.choices_box)
        entry.addWidget(self.line)
        entry.addWidget(self.reason)
        actions = QHBoxLayout()
        for widget in (self.close_button, self.reset_button, self.apply_button):
            actions.addWidget(widget)
        entry.addLayout(actions)
        entry.addWidget(self.edit_english)   # the declared English text, for support calls
        entry.addStretch(1)
        columns = frame.columns
        columns.setSpacing(20)
        columns.addLayout(entry, 2)
        columns.addWidget(self.keypad, 3, Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(frame)
        box.setContentsMargins(16, 10, 16, 12)
        box.addWidget(self.edit_meta)
        box.addLayout(columns)
        frame.hide()
        return frame

    # --- loading -----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        def load():
            editor = SettingsEditor.for_core(self.core)
            return editor, editor.rows()

        self.status.setText(self.tr("正在读取设置…"))
        self.tasks.run("db", load, self._show_rows, self._failed, group=GROUP)

    def _show_rows(self, loaded) -> None:
        self.editor, rows = loaded
        self.rows = {row.key: row for row in rows}
        self.close_editor()
        clear_layout(self.list_rows)
        self.row_buttons = {}
        group = None
        for row in rows:
            if row.group != group:
                group = row.group
                self.list_rows.addWidget(label(group, "section"))
            widget = SettingButton(row, self._row_value(row))
            widget.clicked.connect(lambda _=False, key=row.key: self.open_editor(key))
            self.row_buttons[row.key] = widget
            self.list_rows.addWidget(widget)
        self.list_rows.addStretch(1)
        self._update_pending()

    def _row_value(self, row: SettingRow) -> str:
        value = (row.value or self.tr("未填写")) + f"（{self.tr(LAYER_NAMES[row.layer])}）"
        if row.key in self.changes:
            pending = self.changes[row.key]
            value += " → " + (self.tr("恢复默认") if pending is None else
                              self.tr("新值") if row.secret else pending) + self.tr("（未保存）")
        elif row.pending_restart:
            value += self.tr("，重启后生效")
        return value

    def _named(self, key: str) -> str:
        row = self.rows.get(key)
        return f"{row.name}（{key}）" if row is not None and row.name else key

    # --- editing -----------------------------------------------------------------------------------------------

    def open_editor(self, key: str) -> None:
        """Open the editor under the row of `key` (closing any other), and scroll so the row is at the top."""
        self.close_editor()
        row = self.rows[key]
        self.current = row
        meta = [self.tr("类型：") + self.tr(_TYPES.get(row.type_name, row.type_name)),
                self.tr("默认：") + (row.default or self.tr("未填写")), self.tr("来源：") + self.tr(LAYER_NAMES[row.layer])]
        if row.choices:
            meta.append(self.tr("可选：") + "、".join(row.choices))
        self.edit_meta.setText("　".join(meta))
        self.edit_english.setText(_breakable(f"{row.key}: {row.description}"))
        self._say("")
        self._fill_input(row)
        target = self.row_buttons[key]
        target.set_editing(True)
        self.list_rows.insertWidget(self.list_rows.indexOf(target) + 1, self.edit_frame)
        self.edit_frame.show()
        QTimer.singleShot(0, lambda: self._scroll_to(target))

    def _say(self, reason: str) -> None:
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))

    def _scroll_to(self, row: QWidget) -> None:
        """Through the finger scroller (a jump, not an animation), so it stays in step and the next tap is a tap."""
        if self.current is not None and self.row_buttons.get(self.current.key) is row:
            QScroller.scroller(self.area.viewport()).scrollTo(QPointF(0, max(row.y() - 8, 0)), 0)

    def _park_editor(self) -> None:
        """Out of the list (it is rebuilt around it), kept for the next row."""
        index = self.list_rows.indexOf(self.edit_frame)
        if index >= 0:
            self.list_rows.takeAt(index)
        self.edit_frame.hide()

    def _fill_input(self, row: SettingRow) -> None:
        clear_layout(self.choices_box)
        for old in self.choice_group.buttons():
            self.choice_group.removeButton(old)
        pending = self.changes.get(row.key)
        shown = pending if pending is not None else row.value
        options = ON_OFF if row.type_name == "bool" else row.choices
        if options:
            for option in options:
                choice = button(self.tr(option) if row.type_name == "bool" else option, "choice", checkable=True)
                choice.setProperty("value", option)
                choice.setChecked(option == shown)
                self.choice_group.addButton(choice)
                self.choices_box.addWidget(choice)
        self.choice_group.setExclusive(True)
        typed = not options
        self.line.setVisible(typed)
        self.keypad.setVisible(typed and row.type_name in ("int", "float"))
        self.keypad.reset()
        self.line.setEchoMode(QLineEdit.EchoMode.Password if row.secret else QLineEdit.EchoMode.Normal)
        self.line.setPlaceholderText(self.tr("输入新值（原值不显示）") if row.secret else "")
        self.line.setText("" if row.secret else shown)

    def entered_text(self) -> str:
        checked = self.choice_group.checkedButton()
        if self.current is not None and (self.current.type_name == "bool" or self.current.choices):
            return checked.property("value") if checked is not None else ""
        return self.line.text()

    def apply(self) -> None:
        """Check what was entered; keep it as a pending change, or say why not under the field."""
        if self.current is None:
            return
        text = self.entered_text()
        checked = validate(self.current.key, text)
        if not checked.ok:
            self._say(self.tr(checked.reason))
            return
        self.changes[self.current.key] = text
        self._after_change()

    def reset_local(self) -> None:
        if self.current is not None:
            self.changes[self.current.key] = None
            self._after_change()

    def _after_change(self) -> None:
        key = self.current.key
        self.row_buttons[key].show_value(self._row_value(self.rows[key]))
        self.close_editor()
        self._update_pending()

    def close_editor(self) -> None:
        if self.current is not None and self.current.key in self.row_buttons:
            self.row_buttons[self.current.key].set_editing(False)
        self.current = None
        self.line.clear()
        self._say("")
        self._park_editor()

    def discard(self) -> None:
        keys = list(self.changes)
        self.changes.clear()
        for key in keys:
            if key in self.row_buttons:
                self.row_buttons[key].show_value(self._row_value(self.rows[key]))
        self.close_editor()
        self._update_pending()

    def _update_pending(self) -> None:
        """Buttons by what is pending; the status line says what is pending, or how to use the list once loaded."""
        count = len(self.changes)
        self.save_button.setEnabled(bool(count))
        self.discard_button.setEnabled(bool(count))
        if count:
            self.status.setText(self.tr("待保存：%n 项", "", count))
        elif self.rows:
            self.status.setText(self.tr(RESTING))

    # --- saving ------------------------------------------------------------------------------------------------

    def save(self) -> None:
        actor = self.technician()
        if actor is None:
            self.status.setText(self.tr("请先以技术员身份登录"))
            return
        if self.editor is None or not self.changes:
            return
        changes, editor = dict(self.changes), self.editor
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("正在保存…"))
        self.tasks.run("db", lambda: editor.save(changes, actor), self._saved, self._failed, group=GROUP)

    def _saved(self, result: SaveResult) -> None:
        if result.ok:
            self.changes.clear()
            text = self.tr(result.message)
            if result.restart:
                text += self.tr("。需要重启本机才生效：") + "、".join(self._named(k) for k in result.restart)
            self.status.setText(text)
            self.refresh_rows_only()
        else:
            lines = [self.tr(result.message)] + [f"{self._named(key)}：{self.tr(reason)}"
                                                 for key, reason in result.problems.items()]
            self.status.setText("\n".join(lines))
            self.save_button.setEnabled(True)
            if self.current is not None and self.current.key in result.problems:
                self._say(self.tr(result.problems[self.current.key]))
        self.saved.emit(result)

    def refresh_rows_only(self) -> None:
        """Reload the list after a save, keeping the save's message."""
        message = self.status.text()
        editor = self.editor
        self.tasks.run("db", lambda: (editor, editor.rows()),
                       lambda loaded: (self._show_rows(loaded), self.status.setText(message)), self._failed,
                       group=GROUP)

    def _failed(self, exc: BaseException) -> None:
        log.error("settings panel: %s", type(exc).__name__)
        self.status.setText(self.tr("设置读取或保存失败，请查看日志"))
        self.save_button.setEnabled(bool(self.changes))

    def clear(self) -> None:
        self.tasks.forget(GROUP)
        self.changes.clear()
        self.rows = {}
        self.row_buttons = {}
        self.editor = None
        self.current = None
        self._park_editor()
        clear_layout(self.list_rows)
        self.line.clear()
        self._say("")
        self.status.clear()
        self._update_pending()

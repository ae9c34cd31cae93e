"""Maintenance tab 设置: every setting by group with its value and where it comes from; tap one to change it.

The editor fits the type: 开/关 for a switch, one button per choice, else a line with the on-screen keypad. What
was entered is checked at once (kiosk/settings_edit.validate) and the reason shown under the field; 保存 writes
all pending changes or none and says which wait for a restart. The logic is kiosk/settings_edit.py; this module
only schedules it on the db lane and renders it.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.settings_edit import LAYER_NAMES, TYPE_NAMES, SaveResult, SettingRow, SettingsEditor, validate
from ui.keypad import Keypad
from ui.tasks import Tasks
from ui.widgets import button, clear_layout, label, scrolling_rows

log = logging.getLogger(__name__)

GROUP = "maint-settings"
_TYPES = {t.__name__: name for t, name in TYPE_NAMES.items()}


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
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        columns.setSpacing(20)
        left = QVBoxLayout()
        self.list_rows = scrolling_rows(left)
        columns.addLayout(left, 3)
        self.edit_frame = self._editor_frame()
        columns.addWidget(self.edit_frame, 2)
        outer.addLayout(columns, 1)
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
        frame = QFrame()
        frame.setProperty("role", "card")
        box = QVBoxLayout(frame)
        self.edit_title = label("", "section")
        self.edit_meta = label("", "small")
        self.choices_box = QHBoxLayout()
        self.line = QLineEdit()
        self.keypad = Keypad()
        self.keypad.typed.connect(self.line.insert)
        self.keypad.erased.connect(self.line.backspace)
        self.keypad.cleared.connect(self.line.clear)
        self.reason = label("", "error")
        self.apply_button = button(self.tr("确定"), "primary")
        self.apply_button.clicked.connect(self.apply)
        self.reset_button = button(self.tr("恢复默认"))
        self.reset_button.clicked.connect(self.reset_local)
        self.close_button = button(self.tr("取消"))
        self.close_button.clicked.connect(self.close_editor)
        for widget in (self.edit_title, self.edit_meta):
            box.addWidget(widget)
        box.addLayout(self.choices_box)
        for widget in (self.line, self.keypad, self.reason):
            box.addWidget(widget)
        actions = QHBoxLayout()
        for widget in (self.close_button, self.reset_button, self.apply_button):
            actions.addWidget(widget)
        box.addLayout(actions)
        box.addStretch(1)
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
        clear_layout(self.list_rows)
        self.row_buttons = {}
        group = None
        for row in rows:
            if row.group != group:
                group = row.group
                self.list_rows.addWidget(label(group, "section"))
            widget = button(self._row_text(row))
            widget.setProperty("setting", row.key)
            widget.clicked.connect(lambda _=False, key=row.key: self.open_editor(key))
            self.row_buttons[row.key] = widget
            self.list_rows.addWidget(widget)
        self.list_rows.addStretch(1)
        self._update_pending()

    def _row_text(self, row: SettingRow) -> str:
        value = f"{row.value}（{self.tr(LAYER_NAMES[row.layer])}）"
        if row.key in self.changes:
            pending = self.changes[row.key]
            value += " → " + (self.tr("恢复默认") if pending is None else
                              self.tr("新值") if row.secret else pending) + self.tr("（未保存）")
        elif row.pending_restart:
            value += self.tr("，重启后生效")
        return f"{row.key}：{value}\n{row.description}"

    # --- editing -----------------------------------------------------------------------------------------------

    def open_editor(self, key: str) -> None:
        row = self.rows[key]
        self.current = row
        self.edit_title.setText(f"{row.key}\n{row.description}")
        meta = [self.tr("类型：") + self.tr(_TYPES.get(row.type_name, row.type_name)),
                self.tr("默认：") + row.default, self.tr("来源：") + self.tr(LAYER_NAMES[row.layer])]
        if row.choices:
            meta.append(self.tr("可选：") + "、".join(row.choices))
        self.edit_meta.setText("  ".join(meta))
        self.reason.clear()
        self._fill_input(row)
        self.edit_frame.show()

    def _fill_input(self, row: SettingRow) -> None:
        clear_layout(self.choices_box)
        for old in self.choice_group.buttons():
            self.choice_group.removeButton(old)
        pending = self.changes.get(row.key)
        shown = pending if pending is not None else row.value
        options = ("开", "关") if row.type_name == "bool" else row.choices
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
            self.reason.setText(self.tr(checked.reason))
            return
        self.changes[self.current.key] = text
        self._after_change()

    def reset_local(self) -> None:
        if self.current is not None:
            self.changes[self.current.key] = None
            self._after_change()

    def _after_change(self) -> None:
        key = self.current.key
        self.row_buttons[key].setText(self._row_text(self.rows[key]))
        self.close_editor()
        self._update_pending()

    def close_editor(self) -> None:
        self.current = None
        self.line.clear()
        self.reason.clear()
        self.edit_frame.hide()

    def discard(self) -> None:
        keys = list(self.changes)
        self.changes.clear()
        for key in keys:
            if key in self.row_buttons:
                self.row_buttons[key].setText(self._row_text(self.rows[key]))
        self.close_editor()
        self._update_pending()

    def _update_pending(self) -> None:
        count = len(self.changes)
        self.save_button.setEnabled(bool(count))
        self.discard_button.setEnabled(bool(count))
        if count:
            self.status.setText(self.tr("待保存：%n 项", "", count))

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
                text += self.tr("。需要重启本机才生效：") + "、".join(result.restart)
            self.status.setText(text)
            self.refresh_rows_only()
        else:
            lines = [self.tr(result.message)] + [f"{key}：{self.tr(reason)}" for key, reason in result.problems.items()]
            self.status.setText("\n".join(lines))
            self.save_button.setEnabled(True)
            if self.current is not None and self.current.key in result.problems:
                self.reason.setText(self.tr(result.problems[self.current.key]))
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
        clear_layout(self.list_rows)
        self.close_editor()
        self.status.clear()
        self._update_pending()

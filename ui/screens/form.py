"""The application form: fields from the catalog, prefilled from the identity, errors next to each field.

Name and ID number read from the card are shown masked and read-only: the full ID number is never on screen.
"""
from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.flow import FieldError
from kiosk.records import FormField, Identity, ServiceItem
from ui.messages import field_error_text
from ui.widgets import Screen, button, clear_layout, fill_grid, label, restyle, scroll_area

MASKED_PREFILLS = ("name", "id_number")


class FieldEditor(QWidget):
    """One field: its label, an input (line or big choice buttons), and its error line."""

    def __init__(self, spec: FormField, value: str, shown: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.locked = shown is not None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 4)
        box.setSpacing(6)
        box.addWidget(label(self._caption(), "big"))
        self.line: QLineEdit | None = None
        self.choices: QButtonGroup | None = None
        if spec.kind == "choice" and spec.choices and not self.locked:
            box.addLayout(self._choice_grid(value))
        else:
            box.addWidget(self._line(value, shown))
        self.error = label("", "field-error")
        self.error.hide()
        box.addWidget(self.error)

    def _caption(self) -> str:
        if self.locked:
            return self.tr("{label}（已从证件读取）").format(label=self.spec.label)
        if self.spec.required:
            return self.tr("{label}（必填）").format(label=self.spec.label)
        return self.tr("{label}（可不填）").format(label=self.spec.label)

    def _line(self, value: str, shown: str | None) -> QLineEdit:
        self.line = QLineEdit(shown if self.locked else value)
        self.line.setReadOnly(self.locked)
        if self.spec.kind in ("phone", "number"):
            self.line.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        if self.spec.kind == "date":
            self.line.setPlaceholderText(self.tr("例如 2024-05-01"))
        if self.spec.kind == "phone":
            self.line.setPlaceholderText(self.tr("例如 13800000000"))
        return self.line

    def _choice_grid(self, value: str) -> QGridLayout:
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        buttons = []
        for choice in self.spec.choices:
            widget = button(choice, "choice", checkable=True)
            widget.setChecked(choice == value)
            self.choices.addButton(widget)
            buttons.append(widget)
        grid = QGridLayout()
        grid.setSpacing(12)
        fill_grid(grid, buttons, 3)
        return grid

    def value(self) -> str:
        if self.choices is not None:
            checked = self.choices.checkedButton()
            return checked.text() if checked else ""
        return self.line.text() if self.line is not None else ""

    def show_error(self, code: FieldError | None) -> None:
        self.error.setText(self.tr("！{message}").format(message=field_error_text(code)) if code else "")
        self.error.setVisible(code is not None)
        if self.line is not None:
            self.line.setProperty("invalid", code is not None)
            restyle(self.line)


class FormScreen(Screen):
    submitted = Signal(dict)   # the editable answers as typed

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("填写申请"), parent=parent)
        self.hint = label("", "hint")
        self.body.addWidget(self.hint)
        content = QWidget()
        self.fields_box = QVBoxLayout(content)
        self.fields_box.setContentsMargins(0, 0, 8, 0)
        self.fields_box.setSpacing(12)
        self.scroll = scroll_area(content)
        self.body.addWidget(self.scroll, 1)
        self.next_button = button(self.tr("下一步：核对信息"), "primary")
        self.next_button.setMinimumHeight(88)
        self.next_button.clicked.connect(lambda: self.submitted.emit(self.answers()))
        self.body.addWidget(self.next_button)
        self.editors: dict[str, FieldEditor] = {}

    def show_form(self, item: ServiceItem, answers: Mapping[str, str], identity: Identity | None) -> None:
        self.hint.setText(self.tr("正在办理：{item}。已为您填好能读到的内容，请补全其余各项。").format(item=item.name))
        clear_layout(self.fields_box)
        self.editors = {}
        for spec in item.form:
            editor = FieldEditor(spec, answers.get(spec.key, ""), self._masked(spec, identity))
            self.editors[spec.key] = editor
            self.fields_box.addWidget(editor)
        self.fields_box.addStretch(1)
        self.scroll.verticalScrollBar().setValue(0)

    @staticmethod
    def _masked(spec: FormField, identity: Identity | None) -> str | None:
        if identity is None or spec.prefill not in MASKED_PREFILLS:
            return None
        return identity.masked_name() if spec.prefill == "name" else identity.masked_id()

    def answers(self) -> dict[str, str]:
        return {key: editor.value() for key, editor in self.editors.items() if not editor.locked}

    def show_errors(self, errors: Mapping[str, FieldError]) -> None:
        for key, editor in self.editors.items():
            editor.show_error(errors.get(key))
        first = next((self.editors[k] for k in self.editors if k in errors), None)
        if first is not None:
            self.scroll.ensureWidgetVisible(first)

    def clear_personal(self) -> None:
        clear_layout(self.fields_box)
        self.editors = {}
        self.hint.clear()

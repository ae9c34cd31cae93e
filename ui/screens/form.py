"""The application form: fields from the catalog, prefilled from the identity, errors next to each field.

Name and ID number read from the card are not editable and appear only masked, in the identity strip at the top:
the full ID number is never on screen.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.elderly import page
from kiosk.flow import FieldError
from kiosk.records import FormField, Identity, ServiceItem
from ui.elderly import Pager
from ui.i18n import data_text
from ui.messages import field_error_text
from ui.widgets import Screen, button, clear_layout, fill_grid, frame, label, restyle, scroll_area, spoken

MASKED_PREFILLS = ("name", "id_number")
CAPTION_WIDTH = 250


class FieldEditor(QWidget):
    """One field: caption on the left; an input (line or big choice buttons) and its error line on the right."""

    def __init__(self, spec: FormField, value: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 6, 0, 6)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(4)
        caption = label(data_text(spec.label), "big")
        caption.setFixedWidth(CAPTION_WIDTH)
        need = label(self.tr("必填") if spec.required else self.tr("可不填"), "small")
        grid.addWidget(caption, 0, 0)
        grid.addWidget(need, 1, 0, Qt.AlignmentFlag.AlignTop)
        self.line: QLineEdit | None = None
        self.choices: QButtonGroup | None = None
        if spec.kind == "choice" and spec.choices:
            grid.addLayout(self._choice_grid(value), 0, 1)
        else:
            grid.addWidget(self._line(value), 0, 1)
            caption.setBuddy(self.line)   # a screen reader names the input by its caption
        self.error = label("", "field-error")
        self.error.hide()
        grid.addWidget(self.error, 1, 1)
        grid.setColumnStretch(1, 1)

    def _line(self, value: str) -> QLineEdit:
        self.line = QLineEdit(value)
        self.line.setObjectName(self.spec.key)
        if self.spec.kind in ("phone", "number"):
            self.line.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        placeholders = {"date": self.tr("例如 2024-05-01"), "phone": self.tr("例如 13800000000")}
        self.line.setPlaceholderText(placeholders.get(self.spec.kind, ""))
        return self.line

    def _choice_grid(self, value: str) -> QGridLayout:
        self.choices = QButtonGroup(self)
        self.choices.setExclusive(True)
        buttons = []
        for choice in self.spec.choices:
            widget = button(data_text(choice), "choice", checkable=True)
            widget.setProperty("value", choice)   # the Chinese option is what is filed, whatever is shown
            widget.setChecked(choice == value)
            widget.setAccessibleDescription(self.spec.label)   # which question this answer belongs to
            self.choices.addButton(widget)
            buttons.append(widget)
        grid = QGridLayout()
        grid.setSpacing(12)
        fill_grid(grid, buttons, 3)
        return grid

    def value(self) -> str:
        if self.choices is not None:
            checked = self.choices.checkedButton()
            return (checked.property("value") or checked.text()) if checked else ""
        return self.line.text() if self.line is not None else ""

    def show_error(self, code: FieldError | None) -> None:
        self.error.setText(self.tr("！{message}").format(message=field_error_text(code)) if code else "")
        self.error.setVisible(code is not None)
        if self.line is not None:
            self.line.setProperty("invalid", code is not None)
            restyle(self.line)


class FormScreen(Screen):
    submitted = Signal(dict)   # the editable answers as typed
    draft_requested = Signal(dict)   # 保存草稿 (agent filings): the answers as typed, kept to finish later

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("填写申请"), parent=parent)
        self.identity_strip = frame("card")
        self.identity_text = label("", "big")
        self.identity_strip.layout().addWidget(self.identity_text)
        self.body.addWidget(self.identity_strip)
        self.summary = label("", "field-error")
        self.summary.hide()
        self.body.addWidget(self.summary)
        content = QWidget()
        self.fields_box = QVBoxLayout(content)
        self.fields_box.setContentsMargins(0, 0, 8, 0)
        self.fields_box.setSpacing(8)
        self.scroll = scroll_area(content)
        self.body.addWidget(self.scroll, 1)
        self.pager = Pager()   # elderly mode: a question at a time, then 下一页
        self.pager.moved.connect(self._show_page)
        self.body.addWidget(self.pager)
        self._per_page = 0
        self._deferral: QWidget | None = None
        self.next_button = button(self.tr("下一步：核对信息"), "primary")
        self.next_button.clicked.connect(lambda: self.submitted.emit(self.answers()))
        self.draft_button = button(self.tr("保存草稿，稍后继续"))
        self.draft_button.clicked.connect(lambda: self.draft_requested.emit(self.answers()))
        self.draft_button.hide()
        self.body.addWidget(self.draft_button)
        self.body.addWidget(self.next_button)
        self.editors: dict[str, FieldEditor] = {}
        self.deferrable: dict[str, QPushButton] = {}

    def show_form(self, item: ServiceItem, answers: Mapping[str, str], identity: Identity | None,
                  deferrable: Sequence[str] = (), missing: Sequence[str] = ()) -> None:
        """`deferrable`: 容缺受理 is open here; the agent ticks which of these materials the resident lacks."""
        self.title.setText(self.tr("填写申请：{item}").format(item=data_text(item.name)))
        self.identity_text.setText(self.identity_line(identity))
        self.summary.hide()
        clear_layout(self.fields_box)
        self.editors = {}
        for spec in item.form:
            if identity is not None and spec.prefill in MASKED_PREFILLS:
                continue
            editor = FieldEditor(spec, answers.get(spec.key, ""))
            self.editors[spec.key] = editor
            self.fields_box.addWidget(editor)
        self.deferrable = {}
        self._deferral = self._deferral_box(deferrable, missing) if deferrable else None
        if self._deferral is not None:
            self.fields_box.addWidget(self._deferral)
        self.fields_box.addStretch(1)
        self._show_page(0)

    def set_paging(self, per_page: int) -> None:
        """`per_page` 0: the whole form, scrolled (the standard look)."""
        self._per_page = per_page
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        """Only this page's questions; 下一步：核对信息 (and 容缺受理's box) once the last page is reached."""
        editors = list(self.editors.values())
        shown = page(len(editors), self._per_page, index)
        for number, editor in enumerate(editors):
            editor.setVisible(shown.start <= number < shown.stop)
        if self._deferral is not None:
            self._deferral.setVisible(not shown.has_next)
        self.next_button.setVisible(not shown.has_next)
        self.pager.show_page(shown)
        self.scroll.verticalScrollBar().setValue(0)

    def set_agent_mode(self, agent_mode: bool) -> None:
        self.draft_button.setVisible(agent_mode)
        self.draft_button.setEnabled(True)

    def _deferral_box(self, deferrable: Sequence[str], missing: Sequence[str]) -> QWidget:
        box = frame("card")
        box.layout().addWidget(label(self.tr("容缺受理：以下材料今天没带的，请勾选（需签告知承诺书，按期补交）"), "big"))
        row = QGridLayout()
        row.setSpacing(12)
        for name in deferrable:
            self.deferrable[name] = button(name, "choice", checkable=True)
            self.deferrable[name].setChecked(name in missing)
        fill_grid(row, list(self.deferrable.values()), 3)
        box.layout().addLayout(row)
        return box

    def missing(self) -> tuple[str, ...]:
        """The materials ticked as missing (容缺受理)."""
        return tuple(name for name, box in self.deferrable.items() if box.isChecked())

    def show_problem(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setVisible(bool(text))

    def identity_line(self, identity: Identity | None) -> str:
        if identity is None:
            return ""
        source = {"zlb_qr": self.tr("浙里办"), "sscard": self.tr("社保卡")}.get(identity.source, self.tr("身份证"))
        return self.tr("申请人：{name}　证件号：{id}（已从{source}读取）").format(
            name=identity.masked_name(), id=identity.masked_id(), source=source)

    def answers(self) -> dict[str, str]:
        return {key: editor.value() for key, editor in self.editors.items()}

    def show_errors(self, errors: Mapping[str, FieldError]) -> None:
        for key, editor in self.editors.items():
            editor.show_error(errors.get(key))
        self.summary.setText(self.tr("！有 {n} 处需要修改，请看红色提示").format(n=len(errors)))
        self.summary.setVisible(bool(errors))
        self.announce()
        first = next((editor for key, editor in self.editors.items() if key in errors), None)
        if first is not None and self._per_page > 0:   # the page holding the first question to fix
            self._show_page(list(self.editors.values()).index(first) // self._per_page)
        if first is not None:   # after the error lines have been laid out
            QTimer.singleShot(0, lambda: self._reveal(first))

    def _reveal(self, editor: FieldEditor) -> None:
        if any(editor is shown for shown in self.editors.values()):   # not cleared meanwhile
            self.scroll.ensureWidgetVisible(editor, 0, 40)

    def clear_personal(self) -> None:
        clear_layout(self.fields_box)
        self.editors = {}
        self.deferrable = {}
        self._deferral = None
        self.pager.hide()
        self.next_button.show()
        self.identity_text.clear()
        self.summary.clear()
        self.summary.hide()

    def spoken_text(self) -> str:
        """What to do and how many fields need fixing; never the identity strip or anything typed."""
        problems = self.summary.text() if not self.summary.isHidden() else ""
        return spoken(self.title.text(), problems or self.tr("请填写下面的信息，填好后点“下一步：核对信息”。"))

    def spoken_focus(self, widget: QWidget) -> str:
        """The field being filled: its name, whether it is required and its error, never its value."""
        editor = next((e for e in self.editors.values() if e is widget or e.isAncestorOf(widget)), None)
        if editor is None:
            return ""
        need = self.tr("必填") if editor.spec.required else self.tr("可不填")
        problem = editor.error.text() if not editor.error.isHidden() else ""
        return spoken(self.tr("请填写：{field}").format(field=editor.spec.label), need, problem)

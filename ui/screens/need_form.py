"""有求必应: the agent records a resident's need. Category tiles, then description, contact phone and location;
提交 saves it at the station (offline) and shows the need's short number. Problems show next to their field and
what was typed stays."""
from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.flow import FieldError
from kiosk.needs import CATEGORIES, MAX_LENGTHS, Need, NeedDraft
from ui.agent_messages import need_error_text
from ui.messages import Message
from ui.widgets import ErrorPanel, Screen, button, fill_grid, frame, label, restyle

CAPTION_WIDTH = 200


class NeedFormScreen(Screen):
    submitted = Signal(object)       # the NeedDraft as typed
    done_requested = Signal()        # 返回工作台 after saving
    rating_requested = Signal()      # the resident rates the service (好差评)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("有求必应 · 记录群众诉求"), parent=parent)
        content = QWidget()   # scrolls: the form must not make the window taller than the screen
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 8, 0)
        self.summary = label("", "field-error")
        column.addWidget(self.summary)
        self.failure = ErrorPanel()
        column.addWidget(self.failure)
        grid = QGridLayout()
        grid.setHorizontalSpacing(20)
        self.errors: dict[str, object] = {}
        self.categories = QButtonGroup(self)
        tiles = [button(name, "choice", checkable=True) for name in CATEGORIES]
        for tile in tiles:
            self.categories.addButton(tile)
        tile_grid = QGridLayout()
        tile_grid.setSpacing(12)
        fill_grid(tile_grid, tiles, 4)
        self._row(grid, 0, self.tr("类别"), tile_grid, "category")
        self.description = self._line(grid, 2, self.tr("诉求内容"), "description",
                                      self.tr("例如 家中水管漏水，需要上门维修"))
        self.contact = self._line(grid, 4, self.tr("联系电话"), "contact", self.tr("例如 13800000000"))
        self.contact.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.location = self._line(grid, 6, self.tr("地点"), "location",
                                   self.tr("村（社区）和门牌，例如 长岛村北弄17号"))
        column.addLayout(grid)
        self.submit_button = button(self.tr("提交"), "primary")
        self.submit_button.clicked.connect(lambda: self.submitted.emit(self.draft()))
        column.addWidget(self.submit_button)
        self.saved = frame("card")
        self.saved_text = label("", "big")
        self.saved.layout().addWidget(self.saved_text)
        self.saved.layout().addWidget(label(self.tr("已保存在本机，联网后自动上报；办理进度在“我的工作队列”查看。")))
        self.done_button = button(self.tr("返回工作台"), "primary")
        self.again_button = button(self.tr("再记一件"), "method")
        self.done_button.clicked.connect(self.done_requested)
        self.again_button.clicked.connect(self.reset)
        self.rate_button = button(self.tr("请群众评价本次服务"), "primary")
        self.rate_button.clicked.connect(self.rating_requested)
        self.saved.layout().addWidget(self.rate_button)
        self.saved.layout().addWidget(self.done_button)
        self.saved.layout().addWidget(self.again_button)
        column.addWidget(self.saved)
        column.addStretch(1)
        self.body.addWidget(content, 1)   # the screen's body scrolls when it cannot fit (by its bar: taps stay taps)
        self.reset()

    def _row(self, grid: QGridLayout, row: int, caption: str, field, key: str) -> None:
        title = label(caption, "big")
        title.setFixedWidth(CAPTION_WIDTH)
        grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
        if isinstance(field, QGridLayout):
            grid.addLayout(field, row, 1)
        else:
            grid.addWidget(field, row, 1)
            title.setBuddy(field)   # a screen reader names the field by its caption
        error = label("", "field-error")
        error.hide()
        grid.addWidget(error, row + 1, 1)
        self.errors[key] = error

    def _line(self, grid: QGridLayout, row: int, caption: str, key: str, placeholder: str) -> QLineEdit:
        line = QLineEdit()
        line.setObjectName(key)
        line.setMaxLength(MAX_LENGTHS[key] + 1)   # one over: the agent hears "too long" rather than losing text
        line.setPlaceholderText(placeholder)
        self._row(grid, row, caption, line, key)
        return line

    def draft(self) -> NeedDraft:
        checked = self.categories.checkedButton()
        return NeedDraft(checked.text() if checked else "", self.description.text(), self.contact.text(),
                         self.location.text())

    def set_saving(self, saving: bool) -> None:
        self.submit_button.setEnabled(not saving)
        self.submit_button.setText(self.tr("正在保存…") if saving else self.tr("提交"))

    def show_errors(self, errors: Mapping[str, FieldError]) -> None:
        self.failure.clear()
        for key, error in self.errors.items():
            code = errors.get(key)
            error.setText(self.tr("！{message}").format(message=need_error_text(key, code)) if code else "")
            error.setVisible(code is not None)
        for key, line in (("description", self.description), ("contact", self.contact), ("location", self.location)):
            line.setProperty("invalid", key in errors)
            restyle(line)
        self.summary.setText(self.tr("！有 {n} 处需要修改，请看红色提示").format(n=len(errors)) if errors else "")
        self.summary.setVisible(bool(errors))

    def show_failure(self, message: Message) -> None:
        self.failure.show_message(message.text, message.next_step)

    def show_saved(self, need: Need) -> None:
        """The form gives way to the confirmation; the typed text is cleared, the number stays to read out."""
        self.clear_personal()
        self._set_editing(False)
        self.saved_text.setText(self.tr("诉求已记录，编号 {number}").format(number=need.number))

    def reset(self) -> None:
        self.clear_personal()
        self._set_editing(True)

    def _set_editing(self, editing: bool) -> None:
        for widget in (self.submit_button, *self.categories.buttons(), self.description, self.contact,
                       self.location):
            widget.setEnabled(editing)
        self.saved.setVisible(not editing)
        if editing:
            self.set_saving(False)

    def clear_personal(self) -> None:
        self.categories.setExclusive(False)   # an exclusive group cannot uncheck its last button
        for tile in self.categories.buttons():
            tile.setChecked(False)
        self.categories.setExclusive(True)
        for line in (self.description, self.contact, self.location):
            line.clear()
        self.saved_text.clear()
        self.show_errors({})

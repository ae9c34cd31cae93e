"""The agent's desk after login: file for a resident, record a need (有求必应), book a visit for one, or see
what they filed."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from ui.messages import Message
from ui.widgets import Screen, button, frame, label


class AgentHomeScreen(Screen):
    file_requested = Signal()    # 为群众代办事项: on to the services' home to pick an item
    queue_requested = Signal()   # 我的工作队列
    need_requested = Signal()    # 有求必应: record a resident's need for the hub to dispatch
    booking_requested = Signal()  # 预约上门/到站
    review_requested = Signal()  # 审核代办件: supervisors only

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("帮办员工作台"), nav=False, parent=parent)
        self.greeting = label("", "big")
        self.body.addWidget(self.greeting)
        self.notice = frame("warn")   # what just happened (a withdrawal): in words, until the next choice
        self.notice_text = label("", "big")
        self.notice_next = label("")
        self.notice.layout().addWidget(self.notice_text)
        self.notice.layout().addWidget(self.notice_next)
        self.notice.hide()
        self.body.addWidget(self.notice)
        self.file_button = button(self.tr("为群众代办事项"), "method")
        self.need_button = button(self.tr("有求必应"), "method")
        self.queue_button = button(self.tr("我的工作队列"), "method")
        self.booking_button = button(self.tr("预约上门/到站"), "method")
        self.review_button = button(self.tr("审核代办件"), "method")
        self.review_button.hide()
        self.file_button.clicked.connect(self._file)
        self.need_button.clicked.connect(self._need)
        self.queue_button.clicked.connect(self._queue)
        self.booking_button.clicked.connect(self._booking)
        self.review_button.clicked.connect(self._review)
        # two rows: filing for residents above, the agent's own work below (five in one row overflow 1280 px)
        grid = QGridLayout()
        grid.setSpacing(32)
        for column, widget in enumerate((self.file_button, self.need_button, self.booking_button)):
            grid.addWidget(widget, 0, column)
        grid.addWidget(self.queue_button, 1, 0)
        grid.addWidget(self.review_button, 1, 1)
        self.body.addStretch(1)
        self.body.addLayout(grid)
        self.body.addWidget(label(self.tr("离开前请点上方的“退出”；点上方的“帮办员…已登录”随时回到本页。"
                                          "长时间不操作会自动退出。"), "hint"))
        self.body.addStretch(2)

    def show_agent(self, agent_id: str, supervisor: bool = False) -> None:
        self.review_button.setVisible(supervisor)
        self.greeting.setText(self.tr("帮办员 {agent}，您好。请选择要做的事：").format(agent=agent_id))

    def show_notice(self, message: Message) -> None:
        self.notice_text.setText(message.text)
        self.notice_next.setText(message.next_step)
        self.notice.show()

    def hide_notice(self) -> None:
        self.notice_text.clear()
        self.notice_next.clear()
        self.notice.hide()

    def _file(self) -> None:
        self.hide_notice()
        self.file_requested.emit()

    def _need(self) -> None:
        self.hide_notice()
        self.need_requested.emit()

    def _queue(self) -> None:
        self.hide_notice()
        self.queue_requested.emit()

    def _booking(self) -> None:
        self.hide_notice()
        self.booking_requested.emit()
    def _review(self) -> None:
        self.hide_notice()
        self.review_requested.emit()

    def clear_personal(self) -> None:
        self.review_button.hide()
        self.greeting.clear()
        self.hide_notice()

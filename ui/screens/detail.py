"""An item's plain-language guide: can I do it here, what to bring, how long, what it costs, the steps."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.catalog import Catalog
from kiosk.records import Material, Mode, Place, ServiceItem
from ui.i18n import data_text
from ui.messages import mode_label, place_label
from ui.widgets import ErrorPanel, RowButton, Screen, button, clear_layout, frame, label, scroll_area, spoken


class DetailScreen(Screen):
    apply_requested = Signal(str)   # item id
    item_chosen = Signal(str)       # a related item

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__("", parent=parent)
        self._catalog = catalog
        self._item: ServiceItem | None = None
        self._agent_mode = False   # a proxy agent is logged in: 帮办 items can be filed here on a resident's behalf
        content = QWidget()
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 8, 0)
        columns.setSpacing(32)
        self.left = QVBoxLayout()       # can I do it here, what to bring, related items
        self.right = QVBoxLayout()      # the plain-language steps
        for column in (self.left, self.right):
            column.setSpacing(14)
        columns.addLayout(self.left, 5)
        columns.addLayout(self.right, 6)
        self.scroll = scroll_area(content)
        self.body.addWidget(self.scroll, 1)
        self.refusal = ErrorPanel()
        self.body.addWidget(self.refusal)
        self.apply_button = button(self.tr("在本机申请"), "primary")
        self.apply_button.setMinimumHeight(88)
        self.apply_button.clicked.connect(self._apply)
        self.body.addWidget(self.apply_button)

    def set_catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def set_agent_mode(self, on: bool) -> None:
        self._agent_mode = on
        self.apply_button.setText(self.tr("为群众代办") if on else self.tr("在本机申请"))
        if self._item is not None:
            self.apply_button.setVisible(self.can_apply(self._item))

    def can_apply(self, item: ServiceItem) -> bool:
        return item.kiosk_ready or (self._agent_mode and Mode.AGENT in item.modes)

    def show_item(self, item: ServiceItem) -> None:
        self._item = item
        self.refusal.clear()
        self.title.setText(data_text(item.name))
        clear_layout(self.left)
        clear_layout(self.right)
        self.left.addWidget(self._banner(item))
        self.left.addWidget(self._facts(item))
        self._add_materials(item.materials)
        self._add_related(self._catalog.related_items(item))
        self._add_steps(item.guide)
        self.left.addStretch(1)
        self.right.addStretch(1)
        self.apply_button.setVisible(self.can_apply(item))
        self.scroll.verticalScrollBar().setValue(0)

    def show_refusal(self, message) -> None:
        self.refusal.show_message(message.text, message.next_step)

    def _apply(self) -> None:
        if self._item is not None and self.can_apply(self._item):
            self.apply_requested.emit(self._item.id)

    # --- sections ------------------------------------------------------------------------------------------
    def _banner(self, item: ServiceItem) -> QFrame:
        if item.kiosk_ready:
            box = frame("ok")
            box.layout().addWidget(label(self.tr("✓ 可在本机自助办理"), "big"))
            box.layout().addWidget(label(self.tr("点下面的“为群众代办”，跟着提示一步一步来。") if self._agent_mode
                                         else self.tr("点下面的“在本机申请”，跟着提示一步一步来。")))
            return box
        box = frame("warn")
        box.layout().addWidget(label(self.where_to_go(item), "big"))
        how = self.how_text(item)
        if how:
            box.layout().addWidget(label(how))
        if self.can_apply(item):
            box.layout().addWidget(label(self.tr("帮办员可在本机为群众代办：点下面的“为群众代办”。")))
        return box

    def where_to_go(self, item: ServiceItem) -> str:
        if Place.STATION in item.places:
            return self.tr("本机不能自助办理，请到本服务站窗口办理")
        place = min(item.places, key=list(Place).index) if item.places else Place.DISTRICT
        return self.tr("需到{place}办理").format(place=place_label(place))

    def how_text(self, item: ServiceItem) -> str:
        parts = [mode_label(m) for m in item.modes if m is not Mode.SELF]
        text = self.tr("办理方式：{modes}").format(modes=self.tr("、").join(parts)) if parts else ""
        if item.department:
            text = self.tr("{how}　受理部门：{department}").format(how=text, department=data_text(item.department)).strip()
        return text

    def _facts(self, item: ServiceItem) -> QWidget:
        limit = (self.tr("当场办结") if item.time_limit_days == 0
                 else self.tr("{n}个工作日").format(n=item.time_limit_days))
        box = frame("card")
        box.layout().addWidget(label(self.tr("办理时限：{limit}").format(limit=limit), "big"))
        box.layout().addWidget(label(self.tr("收费：{fee}").format(fee=data_text(item.fee)), "big"))
        return box

    def _add_materials(self, materials: tuple[Material, ...]) -> None:
        self.left.addWidget(label(self.tr("要带的材料"), "section"))
        if not materials:
            self.left.addWidget(label(self.tr("不需要带材料。"), "big"))
        for material in materials:
            self.left.addWidget(self._material_row(material))

    def _material_row(self, material: Material) -> QWidget:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(label(self.tr("• {name}").format(name=data_text(material.name)), "big"))
        badges = QHBoxLayout()
        badges.setContentsMargins(28, 0, 0, 0)
        if material.e_licence:
            badges.addWidget(label(self.tr("免证办 · 不用带原件"), "badge", wrap=False))
        if material.optional:
            badges.addWidget(label(self.tr("有就带，没有也行"), "badge-muted", wrap=False))
        badges.addStretch(1)
        if material.e_licence or material.optional:
            box.addLayout(badges)
        return holder

    def _add_steps(self, steps: tuple[str, ...]) -> None:
        self.right.addWidget(label(self.tr("怎么办（白话版）"), "section"))
        for number, step in enumerate(steps, start=1):
            row = QHBoxLayout()
            row.setSpacing(16)
            row.addWidget(label(str(number), "step-no", wrap=False), 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(label(data_text(step), "big"), 1)
            holder = QWidget()
            holder.setLayout(row)
            self.right.addWidget(holder)

    def _add_related(self, related) -> None:
        if not related:
            return
        self.left.addWidget(label(self.tr("相关事项"), "section"))
        for item in related:
            row = RowButton(data_text(item.name))
            row.clicked.connect(lambda _=False, key=item.id: self.item_chosen.emit(key))
            self.left.addWidget(row)

    def spoken_text(self) -> str:
        """The guide's summary: the item, whether it can be done here (and how), time limit, fee, what to bring."""
        if self._item is None:
            return self.title.text()
        shown = [self.left.itemAt(i).widget() for i in range(min(2, self.left.count()))]   # banner, facts
        said = [lab.text() for box in shown if box is not None for lab in box.findChildren(QLabel)]
        materials = self._item.materials
        said.append(self.tr("要带的材料：{names}").format(names=self.tr("、").join(m.name for m in materials))
                    if materials else self.tr("不需要带材料。"))
        return spoken(self.title.text(), *said)

"""A counter's own screen (designed at 1280×720, scaled to any size): renders a ``CounterScreen``.

Top: the counter name. Middle: the number being served, as large as the screen allows (or
"Tạm nghỉ" / "Đóng" / "Mất kết nối"), with its service or the pause reason. Bottom: the officer's
name and title. The number flashes when the counter calls or recalls.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from display.counter_screen_model import CounterScreen
from display.qt import style
from display.qt.widgets import Box, Scaler, TextItem

DESIGN = (1280, 720)
CENTER = Qt.AlignCenter
FLASH_MS = 350
FLASH_TOGGLES = 8

# mode -> (background of the middle, colour of the big text)
MODE_COLORS = {
    "serving": (style.PANEL, style.NUMBER),
    "idle": (style.PANEL, style.MUTED),
    "paused": (style.PANEL, style.HIGHLIGHT),
    "closed": (style.PANEL, style.MUTED),
    "disconnected": (style.ALERT, style.TEXT),
    "connecting": (style.ALERT, style.TEXT),
}


class CounterWindow(QWidget):
    """The counter screen; ``render_screen(screen, flash_serial)`` shows it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), style.BACKGROUND)
        self.setPalette(palette)
        self._serial = 0
        self._flashes_left = 0
        self._flash = QTimer(self)
        self._flash.setInterval(FLASH_MS)
        self._flash.timeout.connect(self._flash_step)
        self._scaler = Scaler()

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        header = Box(style.HEADER_BG, 0)
        self.title = TextItem(84, bold=True, align=CENTER)
        self.title.setText(title)
        head = QVBoxLayout(header)
        head.setContentsMargins(24, 6, 24, 6)
        head.addWidget(self.title)
        root.addWidget(header)

        self.middle = Box(style.PANEL, 18)
        body = QVBoxLayout(self.middle)
        body.setContentsMargins(24, 12, 24, 12)
        body.setSpacing(0)
        self.headline = TextItem(44, bold=True, color=style.MUTED, align=CENTER)
        self.number = TextItem(250, bold=True, color=style.NUMBER, align=CENTER, min_ratio=0.3)
        self.service = TextItem(52, align=CENTER)
        self.detail = TextItem(40, color=style.MUTED, align=CENTER)
        body.addWidget(self.headline, 1)
        body.addWidget(self.number, 5)
        body.addWidget(self.service, 1)
        body.addWidget(self.detail, 1)
        wrap = QVBoxLayout()
        wrap.setContentsMargins(20, 16, 20, 16)
        wrap.addWidget(self.middle)
        root.addLayout(wrap, 1)

        footer = Box(style.HEADER_BG, 0)
        self.officer_name = TextItem(50, bold=True, align=CENTER)
        self.officer_title = TextItem(34, color=style.MUTED, align=CENTER)
        foot = QVBoxLayout(footer)
        foot.setContentsMargins(24, 8, 24, 10)
        foot.setSpacing(0)
        foot.addWidget(self.officer_name)
        foot.addWidget(self.officer_title)
        self.footer = footer
        root.addWidget(footer)
        self.resize(*DESIGN)

    def render_screen(self, screen: CounterScreen, flash_serial: int) -> None:
        background, big = MODE_COLORS[screen.mode]
        self.title.setText(screen.title)
        self.headline.setText(screen.headline)
        self.number.setText(screen.number)
        self.number.set_color(big)
        self.headline.set_color(style.TEXT if screen.mode in ("disconnected", "connecting") else style.MUTED)
        self.service.setText(screen.service)
        self.detail.setText(screen.detail)
        self.detail.set_color(style.TEXT if screen.mode in ("disconnected", "connecting", "paused") else style.MUTED)
        for item in (self.headline, self.service, self.detail):
            item.setVisible(bool(item.text()))  # an empty line leaves its room to the number
        self.officer_name.setText(screen.officer_name)
        self.officer_title.setText(screen.officer_title)
        self.footer.setVisible(bool(screen.officer_name))
        if flash_serial != self._serial:
            self._serial = flash_serial
            if screen.mode == "serving":
                self._flashes_left = FLASH_TOGGLES
                self._flash.start()
                self.middle.set_color(style.FLASH)
        if not self._flash.isActive():
            self.middle.set_color(background)

    def _flash_step(self) -> None:
        self._flashes_left -= 1
        if self._flashes_left <= 0:
            self._flash.stop()
            self.middle.set_color(style.PANEL)
            return
        lit = self.middle.color() == style.FLASH
        self.middle.set_color(style.PANEL if lit else style.FLASH)

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._scaler.apply(self, min(self.width() / DESIGN[0], self.height() / DESIGN[1]) or 1.0)
        super().resizeEvent(event)

    def visible_texts(self) -> list[str]:
        """Every non-empty text shown now, top to bottom."""
        items = [w for w in self.findChildren(TextItem) if w.isVisibleTo(self) and w.text()]
        items.sort(key=lambda w: w.mapTo(self, w.rect().topLeft()).y())
        return [w.text() for w in items]

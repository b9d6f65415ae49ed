"""Small painted widgets for screens read from far away: text that shrinks to fit, coloured
boxes, a scrolling notice. Sizes are design pixels (of a 1920×1080 hall TV or a 1280×720 counter
screen) times the window's ``scale``."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGridLayout, QLayout, QSizePolicy, QWidget

from display.qt import style

LINE_HEIGHT = 1.3


class TextItem(QWidget):
    """Text in a fixed colour; the font shrinks (down to ``min_ratio``) until the text fits the
    box, on one line or, with ``wrap``, on as many lines as the box holds; what still does not
    fit is elided. ``text()`` always holds the whole string."""

    def __init__(self, px: float, bold: bool = False, color: QColor = style.TEXT,
                 align: Qt.AlignmentFlag = Qt.AlignLeft | Qt.AlignVCenter, min_ratio: float = 0.55,
                 wrap: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._px, self._bold, self._color, self._align = px, bold, QColor(color), align
        self._min_ratio, self._wrap = min_ratio, wrap
        self._scale = 1.0
        self._text = ""
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setAttribute(Qt.WA_TranslucentBackground)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        if text != self._text:
            self._text = text
            self.update()

    def set_color(self, color: QColor) -> None:
        if QColor(color) != self._color:
            self._color = QColor(color)
            self.update()

    def set_scale(self, scale: float) -> None:
        if scale != self._scale:
            self._scale = scale
            self.updateGeometry()
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(int(self._px * self._scale * 2), int(self._px * self._scale * LINE_HEIGHT))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, int(self._px * self._scale * self._min_ratio * LINE_HEIGHT))

    def fitted_px(self) -> float:
        """The pixel size the text is drawn at in the current box."""
        return self._fit()[0]

    def _fit(self) -> tuple[float, int]:
        """(pixel size, Qt text flags) that make the text fit the box."""
        full = self._px * self._scale
        floor = full * self._min_ratio
        px = min(full, self.height() / LINE_HEIGHT)
        if not self._text or self.width() <= 0:
            return px, int(self._align)
        width = QFontMetricsF(style.font(px, self._bold)).horizontalAdvance(self._text)
        if width <= self.width():
            return px, int(self._align)
        if self._wrap:
            flags = int(self._align) | int(Qt.TextWordWrap)
            box = QRectF(0, 0, self.width(), 10_000)
            size = min(full, self.height() / LINE_HEIGHT * 2)
            while size >= floor:
                needed = QFontMetricsF(style.font(size, self._bold)).boundingRect(box, flags, self._text)
                if needed.width() <= self.width() and needed.height() <= self.height():
                    return size, flags
                size *= 0.94
        return max(floor, px * self.width() / width * 0.98), int(self._align)

    def paintEvent(self, _event) -> None:  # noqa: N802
        if not self._text:
            return
        px, flags = self._fit()
        font = style.font(px, self._bold)
        shown = self._text
        if not flags & int(Qt.TextWordWrap):
            shown = QFontMetricsF(font).elidedText(self._text, Qt.ElideRight, self.width())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.setFont(font)
        painter.setPen(self._color)
        painter.drawText(QRectF(self.rect()), flags, shown)


class Box(QWidget):
    """A rounded, filled rectangle holding other widgets."""

    def __init__(self, color: QColor, radius: float = 14, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor(color)
        self._radius = radius

    def set_color(self, color: QColor) -> None:
        if QColor(color) != self._color:
            self._color = QColor(color)
            self.update()

    def color(self) -> QColor:
        return QColor(self._color)

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(self._color)
        painter.drawRoundedRect(QRectF(self.rect()), self._radius, self._radius)


class Ticker(QWidget):
    """A notice scrolling right to left, endlessly, at ``speed`` design pixels per second."""

    FRAME_MS = 40

    def __init__(self, px: float, color: QColor, background: QColor, speed: float = 90.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._px, self._color, self._background, self._speed = px, QColor(color), QColor(background), speed
        self._scale = 1.0
        self._text = ""
        self._offset = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(self.FRAME_MS)
        self._timer.timeout.connect(self._step)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802
        self._text = " ".join(text.split())
        self._offset = 0.0
        if self._text:
            self._timer.start()
        else:
            self._timer.stop()
        self.update()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self.setFixedHeight(int(self._px * scale * 1.7))

    def _step(self) -> None:
        self._offset += self._speed * self._scale * self.FRAME_MS / 1000
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        if not self._text:
            return
        font = style.font(self._px * self._scale)
        metrics = QFontMetricsF(font)
        span = metrics.horizontalAdvance(self._text) + self.width() * 0.3
        lead = self._px * self._scale * 0.6
        x = (lead - self._offset) % span - span
        baseline = (self.height() + metrics.ascent() - metrics.descent()) / 2
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.setFont(font)
        painter.setPen(self._color)
        while x < self.width():
            painter.drawText(QPointF(x, baseline), self._text)
            x += span


class Scaler:
    """Scales a window designed at one size: text sizes, and the margins and spacings of every
    layout (remembered at their design values the first time they are seen)."""

    def __init__(self) -> None:
        self._design: dict[QLayout, tuple[QMargins, int, int]] = {}

    def apply(self, root: QWidget, scale: float) -> None:
        for item in root.findChildren(TextItem):
            item.set_scale(scale)
        layouts = root.findChildren(QLayout)
        if root.layout() is not None:
            layouts.append(root.layout())
        for layout in layouts:
            margins, horizontal, vertical = self._design.setdefault(layout, self._read(layout))
            layout.setContentsMargins(*(round(v * scale) for v in (
                margins.left(), margins.top(), margins.right(), margins.bottom())))
            if isinstance(layout, QGridLayout):
                layout.setHorizontalSpacing(round(horizontal * scale))
                layout.setVerticalSpacing(round(vertical * scale))
            else:
                layout.setSpacing(round(horizontal * scale))

    @staticmethod
    def _read(layout: QLayout) -> tuple[QMargins, int, int]:
        if isinstance(layout, QGridLayout):
            return layout.contentsMargins(), layout.horizontalSpacing(), layout.verticalSpacing()
        return layout.contentsMargins(), layout.spacing(), layout.spacing()

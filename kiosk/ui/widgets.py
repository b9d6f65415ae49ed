"""Building blocks of the kiosk screens: labels, big choice buttons, QR codes, touch scrolling,
the header with its hidden technician gesture, and the on-screen keyboards."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.theme import Metrics
from kiosk.vn_input import TONE_MARKS
from motcua.i18n import t
from motcua.text import nfc


def set_prop(widget: QWidget, name: str, value: object) -> None:
    """Set a dynamic property used by the style sheet and re-apply the style."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def label(text: str = "", name: str = "Body", wrap: bool = True, align: Qt.AlignmentFlag | None = None) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.PlainText)
    if align is not None:
        widget.setAlignment(align)
    return widget


def button(text: str, kind: str | None = None, height: int | None = None) -> QPushButton:
    widget = QPushButton(text)
    if kind:
        widget.setProperty("kind", kind)
    if height:
        widget.setMinimumHeight(height)
    widget.setFocusPolicy(Qt.NoFocus)
    return widget


def clear_layout(layout) -> None:
    """Remove and delete every item of ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class ChoiceButton(QPushButton):
    """A big button with a title and a note under it (both wrap; the button grows to fit)."""

    def __init__(self, title: str, note: str = "", kind: str | None = None, min_height: int = 0,
                 closed: bool = False) -> None:
        super().__init__()
        self.setObjectName("Choice")
        self.setFocusPolicy(Qt.NoFocus)
        if kind:
            self.setProperty("kind", kind)
        self.title = label("", "ChoiceTitle")
        self.note = label("", "ChoiceNote")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        for child in (self.title, self.note):
            child.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.set_text(title, note, closed)
        # a widget with a layout gets its height for a width from the layout (wrapped labels),
        # never below the explicit minimum
        self.setMinimumHeight(min_height)
        policy = QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_text(self, title: str, note: str = "", closed: bool = False) -> None:
        self.title.setText(title)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        state = "true" if closed else "false"
        if self.note.property("closed") != state:
            set_prop(self.note, "closed", state)


def qr_pixmap(text: str, size: int) -> QPixmap:
    """A QR code of ``text`` drawn with whole pixels per module, about ``size`` pixels wide."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    scale = max(1, size // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect(x * scale, y * scale, scale, scale)
    painter.end()
    return QPixmap.fromImage(image)


class QrCode(QLabel):
    def __init__(self, text: str, size: int) -> None:
        super().__init__()
        self.setObjectName("QrCode")
        self.text_value = text
        self.setPixmap(qr_pixmap(text, size))
        self.setAlignment(Qt.AlignCenter)


class ScrollPanel(QWidget):
    """A vertically scrolling area that follows a finger, with big up/down buttons beside it
    for people who do not know to swipe."""

    def __init__(self, m: Metrics) -> None:
        super().__init__()
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.content = QWidget()
        self.content.setObjectName("Page")
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, m.px(10), 0)
        self.body.setSpacing(m.px(18))
        self.area.setWidget(self.content)
        QScroller.grabGesture(self.area.viewport(), QScroller.TouchGesture)
        self.up = button("▲", height=m.px(160))
        self.down = button("▼", height=m.px(160))
        for arrow in (self.up, self.down):
            arrow.setFixedWidth(m.px(110))
            arrow.hide()  # shown only when there is something to scroll
        self.up.clicked.connect(lambda: self._page(-1))
        self.down.clicked.connect(lambda: self._page(1))
        arrows = QVBoxLayout()
        arrows.addWidget(self.up)
        arrows.addStretch(1)
        arrows.addWidget(self.down)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(m.px(14))
        layout.addWidget(self.area, 1)
        layout.addLayout(arrows)
        bar = self.area.verticalScrollBar()
        bar.rangeChanged.connect(lambda *_: self._arrows())
        bar.valueChanged.connect(lambda *_: self._arrows())

    def _page(self, direction: int) -> None:
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.value() + direction * int(self.area.viewport().height() * 0.8))

    def _arrows(self) -> None:
        bar = self.area.verticalScrollBar()
        self.up.setVisible(bar.maximum() > 0)
        self.down.setVisible(bar.maximum() > 0)
        self.up.setEnabled(bar.value() > bar.minimum())
        self.down.setEnabled(bar.value() < bar.maximum())

    def reset(self) -> None:
        clear_layout(self.body)
        self.area.verticalScrollBar().setValue(0)


class Header(QFrame):
    """Office name and clock. Holding a finger on it for ``hold_ms`` asks for the technician PIN."""

    long_pressed = Signal()

    def __init__(self, office_name: str, m: Metrics, hold_ms: int = 3000) -> None:
        super().__init__()
        self.setObjectName("Header")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setMinimumHeight(m.px(150))
        self.office = label(office_name, "OfficeName")
        self.clock = label("", "Clock", wrap=False, align=Qt.AlignRight | Qt.AlignVCenter)
        self.date = label("", "Date", wrap=False, align=Qt.AlignRight | Qt.AlignVCenter)
        right = QVBoxLayout()
        right.setSpacing(0)
        right.addWidget(self.clock)
        right.addWidget(self.date)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(m.px(30), m.px(12), m.px(30), m.px(12))
        layout.addWidget(self.office, 1)
        layout.addLayout(right)
        self._hold = QTimer(self, singleShot=True, interval=hold_ms)
        self._hold.timeout.connect(self.long_pressed.emit)

    def set_time(self, clock: str, date: str) -> None:
        self.clock.setText(clock)
        self.date.setText(date)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._hold.start()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._hold.stop()
        event.accept()


TONE_LABELS = {"sac": "á", "huyen": "à", "hoi": "ả", "nga": "ã", "nang": "ạ"}
TEXT_ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKLĐ", "ZXCVBNMĂÂÊ", "ÔƠƯ"]
CODE_ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL.", "ZXCVBNM-"]
DIGIT_ROWS = ["123", "456", "789"]


class Keyboard(QWidget):
    """An on-screen keyboard. ``mode``: ``text`` (Vietnamese letters and tone keys), ``code``
    (dossier codes: A–Z, digits, "." and "-") or ``digits``."""

    typed = Signal(str)
    tone = Signal(str)
    backspace = Signal()
    cleared = Signal()

    def __init__(self, m: Metrics, mode: str = "text") -> None:
        super().__init__()
        self.mode = mode
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(m.px(8))
        rows = {"text": TEXT_ROWS, "code": CODE_ROWS, "digits": DIGIT_ROWS}[mode]
        columns = 3 if mode == "digits" else 10
        key_height = m.px(120) if mode == "digits" else m.px(92)
        for c in range(columns):
            grid.setColumnStretch(c, 1)
        r = 0
        for r, row in enumerate(rows):
            for c, char in enumerate(row):
                grid.addWidget(self._key(char, char, "key", key_height), r, c)
        if mode == "text":  # after Ô Ơ Ư on the last letter row: the five tone keys
            for offset, name in enumerate(TONE_MARKS):
                key = self._key(f"tone:{name}", TONE_LABELS[name], "tone", key_height)
                key.setToolTip(t(f"kiosk.key_tone_{name}"))
                grid.addWidget(key, r, 4 + offset)
        r += 1
        if mode == "digits":
            grid.addWidget(self._key("clear", t("kiosk.key_clear"), "key", key_height), r, 0)
            grid.addWidget(self._key("0", "0", "key", key_height), r, 1)
            grid.addWidget(self._key("backspace", "⌫", "key", key_height), r, 2)
            return
        grid.addWidget(self._key("backspace", t("kiosk.key_backspace"), "key", key_height), r, 0, 1, 3)
        if mode == "text":
            grid.addWidget(self._key(" ", t("kiosk.key_space"), "key", key_height), r, 3, 1, 4)
        grid.addWidget(self._key("clear", t("kiosk.key_clear"), "key", key_height), r, 7, 1, 3)

    def _key(self, value: str, text: str, kind: str, height: int) -> QPushButton:
        key = self.keys.get(value)
        if key is None:
            key = button(nfc(text), kind, height)
            key.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            key.clicked.connect(lambda _=False, v=value: self._press(v))
            self.keys[value] = key
        return key

    def _press(self, value: str) -> None:
        if value == "backspace":
            self.backspace.emit()
        elif value == "clear":
            self.cleared.emit()
        elif value.startswith("tone:"):
            self.tone.emit(value.split(":", 1)[1])
        else:
            self.typed.emit(value)

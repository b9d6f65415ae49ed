"""The rating pad's full-screen PySide6 view of ``PadModel`` (a 1280×800 tablet, landscape).

Four pages: idle (the officer at the counter), the three large choices drawn as faces, the
reasons of Không hài lòng with an optional comment, and thanks. Bus messages arrive through
``PadBridge`` signals; ``on_rating(payload)`` receives each finished rating (the caller stores it
in the outbox and sends it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from motcua.clock import Clock
from motcua.i18n import t
from rating_pad.model import CHOICE, IDLE, LEVELS, REASONS, THANKS, InputError, PadModel

COLORS = {"very_satisfied": "#2e7d32", "satisfied": "#1565c0", "dissatisfied": "#d84315"}
MOUTH = {"very_satisfied": 1.0, "satisfied": 0.45, "dissatisfied": -0.6}  # smile curvature
FONT_FAMILY = "Noto Sans"

STYLE = """
QWidget { font-family: "Noto Sans", "DejaVu Sans"; color: #1d2733; }
PadWindow, QStackedWidget > QWidget { background: #f4f7fb; }
QLabel#counter { font-size: 30px; font-weight: 700; color: #0b4f9c; }
QLabel#welcome { font-size: 56px; font-weight: 800; }
QLabel#caption { font-size: 24px; color: #4a5666; }
QLabel#officer { font-size: 52px; font-weight: 800; color: #0b4f9c; }
QLabel#title { font-size: 40px; font-weight: 800; }
QLabel#hint { font-size: 22px; color: #4a5666; }
QLabel#error { font-size: 24px; color: #b3261e; font-weight: 700; }
QFrame#card { background: white; border: 1px solid #d3dbe5; border-radius: 24px; }
QPushButton#reason { font-size: 26px; font-weight: 600; padding: 18px; border-radius: 16px;
                     background: white; border: 3px solid #d3dbe5; text-align: left; }
QPushButton#reason:checked { background: #fdebe6; border-color: #d84315; color: #8a2a0c; }
QPushButton#submit { font-size: 28px; font-weight: 800; padding: 16px 40px; border-radius: 16px;
                     background: #d84315; color: white; border: none; }
QPushButton#back { font-size: 26px; padding: 16px 40px; border-radius: 16px; background: white;
                   border: 2px solid #b8c2cf; }
QLineEdit { font-size: 24px; padding: 12px; border-radius: 12px; border: 2px solid #b8c2cf; background: white; }
"""


class PadBridge(QObject):
    counter_state = Signal(object)
    rate_request = Signal(object)


def paint_face(painter: QPainter, rect: QRectF, level: str) -> None:
    """A round face for ``level``: the mouth bends up (satisfied) or down (dissatisfied)."""
    color = QColor(COLORS[level])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(rect)
    painter.setBrush(QColor("white"))
    eye = rect.width() * 0.09
    for x in (0.34, 0.66):
        painter.drawEllipse(QRectF(rect.left() + rect.width() * x - eye / 2, rect.top() + rect.height() * 0.33,
                                   eye, eye * 1.3))
    pen = QPen(QColor("white"), rect.width() * 0.07, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, right = rect.left() + rect.width() * 0.28, rect.left() + rect.width() * 0.72
    base = rect.top() + rect.height() * (0.64 if MOUTH[level] > 0 else 0.74)
    bend = rect.height() * 0.18 * MOUTH[level]
    mouth = QPainterPath()
    mouth.moveTo(left, base)
    mouth.quadTo((left + right) / 2, base + bend * 2, right, base)
    painter.drawPath(mouth)


class FaceButton(QAbstractButton):
    """A large choice: a face and its label on a white card with a coloured border."""

    def __init__(self, level: str) -> None:
        super().__init__()
        self.level = level
        self.setText(t(f"rating.level_{level}"))
        self.setMinimumSize(340, 400)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(COLORS[self.level])
        frame = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.setPen(QPen(color, 6))
        painter.setBrush(QColor("#fff8f5" if self.isDown() else "white"))
        painter.drawRoundedRect(frame, 28, 28)
        size = min(frame.width() * 0.62, frame.height() * 0.5)
        text_h, gap = 56, 32
        top = frame.center().y() - (size + gap + text_h) / 2
        face = QRectF(frame.center().x() - size / 2, top, size, size)
        paint_face(painter, face, self.level)
        font = QFont(FONT_FAMILY)
        font.setPixelSize(40)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(color)
        text_rect = QRectF(frame.left(), face.bottom() + gap, frame.width(), text_h)
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignCenter), self.text())
        painter.end()


class FaceIcon(QWidget):
    """A face on its own (the thank-you screen)."""

    def __init__(self, level: str, size: int = 180) -> None:
        super().__init__()
        self.level = level
        self.setFixedSize(size, size)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_face(painter, QRectF(self.rect()).adjusted(2, 2, -2, -2), self.level)
        painter.end()


def _label(name: str, text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text, objectName=name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(wrap)
    return label


class PadWindow(QWidget):
    screen_changed = Signal(str)

    def __init__(self, model: PadModel, clock: Clock, on_rating: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self.setObjectName("PadWindow")
        self.model = model
        self.clock = clock
        self.on_rating = on_rating
        self.bridge = PadBridge()
        self.bridge.counter_state.connect(self._on_counter_state)
        self.bridge.rate_request.connect(self._on_rate_request)
        self.setWindowTitle(t("rating.window_title", counter=model.counter_name))
        self.setStyleSheet(STYLE)
        self.resize(1280, 800)
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.pages: dict[str, QWidget] = {IDLE: self._build_idle(), CHOICE: self._build_choice(),
                                          REASONS: self._build_reasons(), THANKS: self._build_thanks()}
        for page in self.pages.values():
            self.stack.addWidget(page)
        self._shown = ""
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(500)
        self.refresh()

    # ---- pages --------------------------------------------------------------------------------
    def _build_idle(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(80, 50, 80, 50)
        self.idle_counter = _label("counter")
        layout.addWidget(self.idle_counter)
        layout.addWidget(_label("welcome", t("rating.idle_welcome")))
        layout.addStretch(1)
        card = QFrame(objectName="card")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(40, 36, 40, 36)
        self.idle_caption = _label("caption", t("rating.idle_officer"))
        self.idle_name = _label("officer")
        self.idle_title = _label("caption")
        for widget in (self.idle_caption, self.idle_name, self.idle_title):
            card_layout.addWidget(widget)
        layout.addWidget(card)
        layout.addStretch(1)
        layout.addWidget(_label("hint", t("rating.idle_hint")))
        return page

    def _build_choice(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(50, 36, 50, 40)
        layout.addWidget(_label("title", t("rating.choice_title")), 0)
        self.choice_who = _label("hint")
        layout.addWidget(self.choice_who, 0)
        layout.addSpacing(24)
        row = QHBoxLayout()
        row.setSpacing(36)
        self.faces: dict[str, FaceButton] = {}
        for level in LEVELS:
            button = FaceButton(level)
            button.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            row.addWidget(button)
            self.faces[level] = button
        layout.addLayout(row, 1)
        return page

    def _build_reasons(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.addWidget(_label("title", t("rating.reasons_title")))
        layout.addWidget(_label("hint", t("rating.reasons_hint")))
        grid = QGridLayout()
        grid.setSpacing(18)
        self.reason_buttons: dict[str, QPushButton] = {}
        for index, reason in enumerate(self.model.reasons):
            button = QPushButton(reason, objectName="reason")
            button.setCheckable(True)
            button.setMinimumHeight(90)
            button.clicked.connect(lambda _=False, r=reason: self.toggle_reason(r))
            grid.addWidget(button, index // 2, index % 2)
            self.reason_buttons[reason] = button
        layout.addLayout(grid)
        layout.addSpacing(10)
        comment_label = QLabel(t("rating.comment_label"), objectName="hint")
        layout.addWidget(comment_label)
        self.comment = QLineEdit(placeholderText=t("rating.comment_hint"))
        self.comment.setMaxLength(500)
        self.comment.textChanged.connect(lambda text: self.model.set_comment(text, self.clock.now()))
        layout.addWidget(self.comment)
        self.reason_error = _label("error")
        layout.addWidget(self.reason_error)
        layout.addStretch(1)
        row = QHBoxLayout()
        self.back_button = QPushButton(t("rating.back"), objectName="back")
        self.back_button.clicked.connect(self.back)
        self.submit_button = QPushButton(t("rating.submit"), objectName="submit")
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.back_button)
        row.addStretch(1)
        row.addWidget(self.submit_button)
        layout.addLayout(row)
        return page

    def _build_thanks(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(80, 80, 80, 80)
        layout.addStretch(1)
        layout.addWidget(FaceIcon("very_satisfied"), 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(24)
        layout.addWidget(_label("welcome", t("rating.thanks_title")))
        layout.addWidget(_label("caption", t("rating.thanks_text")))
        layout.addStretch(1)
        return page

    # ---- input --------------------------------------------------------------------------------
    def _on_counter_state(self, msg: dict) -> None:
        self.model.apply_counter_state(msg)
        self.refresh()

    def _on_rate_request(self, msg: dict) -> None:
        if self.model.on_rate_request(msg, self.clock.now()):
            self.comment.clear()
        self.refresh()

    def choose(self, level: str) -> None:
        payload = self.model.choose(level, self.clock.now())
        if payload is not None:
            self.on_rating(payload)
        self.refresh()

    def toggle_reason(self, reason: str) -> None:
        self.model.toggle_reason(reason, self.clock.now())
        self.refresh()

    def submit(self) -> None:
        try:
            payload = self.model.submit(self.clock.now())
        except InputError:
            self.refresh()
            return
        self.on_rating(payload)
        self.refresh()

    def back(self) -> None:
        self.model.back(self.clock.now())
        self.refresh()

    def _tick(self) -> None:
        if self.model.tick(self.clock.now()):
            self.refresh()

    # ---- drawing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        view = self.model.view()
        self.idle_counter.setText(view.counter_name)
        if view.counter_open and view.officer_name:
            self.idle_caption.setText(t("rating.idle_officer"))
            self.idle_name.setText(view.officer_name)
            self.idle_title.setText(view.officer_title)
        else:
            self.idle_caption.setText("")
            self.idle_name.setText(t("rating.idle_closed"))
            self.idle_title.setText("")
        who = t("rating.choice_ticket", number=view.ticket)
        if view.officer_name:
            who += f" · {view.officer_name}"
        self.choice_who.setText(who)
        for reason, chosen in view.reasons:
            self.reason_buttons[reason].setChecked(chosen)
        if self.comment.text() != view.comment:
            self.comment.setText(view.comment)
        self.reason_error.setText(view.error)
        self.stack.setCurrentWidget(self.pages[view.screen])
        if view.screen != self._shown:
            self._shown = view.screen
            self.screen_changed.emit(view.screen)

    def save_screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.grab().save(str(path))
        return path

"""The hall TV window (1920×1080, read from 10 m): renders a ``HallModel``.

Left: QUẦY | ĐANG PHỤC VỤ | LĨNH VỰC for every open counter, and the dossier statistics. Right:
the last calls, the newest one large and highlighted (it blinks when it arrives), and the
waiting count and estimated wait per service. Top: office name, date and time; bottom: the
scrolling notice, working hours and hotline. Without the broker the whole middle is replaced by
"Mất kết nối", so no stale number stays on the wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from display.hall_model import RECENT_SIZE, HallModel
from display.qt import style
from display.qt.widgets import Box, Scaler, TextItem, Ticker
from motcua.i18n import t

DESIGN = (1920, 1080)
RIGHT = Qt.AlignRight | Qt.AlignVCenter
CENTER = Qt.AlignCenter
COLUMNS = (3, 3, 4)  # stretch of QUẦY | ĐANG PHỤC VỤ | LĨNH VỰC
WAITING_CELLS = 8
BLINK_MS = 350
BLINK_TOGGLES = 8


@dataclass(frozen=True)
class HallTexts:
    """The fixed texts of the hall, from the office config."""

    office_name: str
    notice: str
    working_hours: str
    hotline: str

    @classmethod
    def from_config(cls, cfg) -> HallTexts:
        office = cfg.office
        return cls(
            office_name=office.name,
            notice=cfg.hall.notice or "",
            working_hours=t("display.hall_working_hours", text=office.working_hours_text)
            if office.working_hours_text else "",
            hotline=t("display.hall_hotline", phone=office.hotline) if office.hotline else "",
        )


def _row(*widgets: tuple[QWidget, int], spacing: int = 16, margins: tuple[int, int, int, int] = (0, 0, 0, 0)):
    layout = QHBoxLayout()
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    for widget, stretch in widgets:
        layout.addWidget(widget, stretch)
    return layout


class CounterRowWidget(Box):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(style.PANEL_ALT, 10, parent)
        self.name = TextItem(52, bold=True)
        self.number = TextItem(88, bold=True, color=style.NUMBER)
        self.caption = TextItem(40, wrap=True)
        self.setLayout(_row(*zip((self.name, self.number, self.caption), COLUMNS), margins=(20, 0, 20, 0)))


class RecentRowWidget(Box):
    def __init__(self, number_px: int, counter_px: int, parent: QWidget | None = None) -> None:
        super().__init__(style.PANEL_ALT, 10, parent)
        self.number = TextItem(number_px, bold=True, color=style.NUMBER)
        self.counter = TextItem(counter_px, bold=True, align=RIGHT)
        self.setLayout(_row((self.number, 5), (self.counter, 5), margins=(20, 0, 20, 0)))


class WaitingRowWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = TextItem(38, wrap=True, min_ratio=0.5)
        self.count = TextItem(40, bold=True, color=style.NUMBER, align=RIGHT)
        self.wait = TextItem(34, color=style.MUTED, align=RIGHT, min_ratio=0.4)
        self.setLayout(_row((self.name, 11), (self.count, 3), (self.wait, 6), spacing=12))


class StatBox(Box):
    def __init__(self, caption: str, color, parent: QWidget | None = None) -> None:
        super().__init__(style.PANEL_ALT, 10, parent)
        self.value = TextItem(72, bold=True, color=color, align=CENTER)
        self.caption = TextItem(30, color=style.MUTED, align=CENTER)
        self.caption.setText(caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(0)
        layout.addWidget(self.value, 3)
        layout.addWidget(self.caption, 2)


class HallWindow(QWidget):
    """The hall TV. ``render_model(model, clock_text)`` shows the model; ``callShown(number, counter)``
    is emitted when a newly arrived call starts being highlighted."""

    callShown = Signal(str, str)

    def __init__(self, texts: HallTexts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.texts = texts
        self.setWindowTitle(texts.office_name)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), style.BACKGROUND)
        self.setPalette(palette)
        self._serial = 0
        self._blinks_left = 0
        self._blink = QTimer(self)
        self._blink.setInterval(BLINK_MS)
        self._blink.timeout.connect(self._blink_step)
        self._fixed: list[tuple[QWidget, int]] = []
        self._scaler = Scaler()

        root = QVBoxLayout(self)
        root.setSizeConstraint(QLayout.SetNoConstraint)  # the TV's size is fixed: never grow past it
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_header())
        self.stack = QStackedWidget()
        self.content = self._build_content()
        self.offline = self._build_offline()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.offline)
        root.addWidget(self.stack, 1)
        self.ticker = Ticker(42, style.TEXT, style.TICKER_BG)
        self.ticker.setText(texts.notice)
        self.ticker.setVisible(bool(texts.notice))
        root.addWidget(self.ticker)
        root.addWidget(self._build_footer())
        self.resize(*DESIGN)
        for widget in (self.newest, *self.older, self.stats_boxes):
            widget.hide()
        self.stack.setCurrentWidget(self.offline)

    # ---- building --------------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        header = Box(style.HEADER_BG, 0)
        self.office_name = TextItem(42, bold=True)
        self.office_name.setText(self.texts.office_name)
        self.clock = TextItem(46, bold=True, color=style.NUMBER, align=RIGHT)
        header.setLayout(_row((self.office_name, 6), (self.clock, 4), margins=(28, 10, 28, 10)))
        return header

    def _build_content(self) -> QWidget:
        content = QWidget()
        left = QVBoxLayout()
        left.setSpacing(20)
        left.addWidget(self._build_serving(), 1)
        left.addWidget(self._build_waiting())
        right = QVBoxLayout()
        right.setSpacing(20)
        right.addWidget(self._build_recent())
        right.addWidget(self._build_stats(), 1)
        layout = QHBoxLayout(content)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(24)
        layout.addLayout(left, 62)
        layout.addLayout(right, 38)
        return content

    @staticmethod
    def _panel(margins: tuple[int, int, int, int], spacing: int) -> tuple[Box, QVBoxLayout]:
        panel = Box(style.PANEL)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(*margins)
        layout.setSpacing(spacing)
        return panel, layout

    @staticmethod
    def _heading(key: str | None = None) -> TextItem:
        """A panel's heading in the muted colour."""
        heading = TextItem(36, bold=True, color=style.MUTED)
        if key:
            heading.setText(t(key))
        return heading

    def _build_serving(self) -> QWidget:
        panel, layout = self._panel((16, 12, 16, 16), 10)
        heads = [self._heading() for _ in COLUMNS]
        for head, key in zip(heads, ("hall_col_counter", "hall_col_serving", "hall_col_service")):
            head.setText(t(f"display.{key}"))
        layout.addLayout(_row(*zip(heads, COLUMNS), margins=(20, 0, 20, 0)))
        self.serving_empty = TextItem(52, color=style.MUTED, align=CENTER)
        self.serving_empty.setText(t("display.hall_no_serving"))
        layout.addWidget(self.serving_empty, 1)
        self.rows_layout = layout
        self.counter_rows: list[CounterRowWidget] = []
        layout.addStretch(0)
        return panel

    def _build_stats(self) -> QWidget:
        panel, layout = self._panel((16, 10, 16, 16), 8)
        title = self._heading("display.hall_stats_title")
        self.stats_period = TextItem(30, color=style.MUTED, align=RIGHT)
        layout.addLayout(_row((title, 5), (self.stats_period, 4)))
        self.stat_received = StatBox(t("display.hall_stats_received"), style.TEXT)
        self.stat_in_progress = StatBox(t("display.hall_stats_in_progress"), style.NUMBER)
        self.stat_on_time = StatBox(t("display.hall_stats_on_time"), style.GOOD)
        self.stat_overdue = StatBox(t("display.hall_stats_overdue"), style.BAD)
        self.stats_boxes = QWidget()
        grid = QGridLayout(self.stats_boxes)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        for i, box in enumerate((self.stat_received, self.stat_in_progress, self.stat_on_time, self.stat_overdue)):
            grid.addWidget(box, i // 2, i % 2)
        self.stats_empty = TextItem(44, color=style.MUTED, align=CENTER)
        self.stats_empty.setText(t("display.hall_stats_none"))
        layout.addWidget(self.stats_boxes, 1)
        layout.addWidget(self.stats_empty, 1)
        return panel

    def _build_recent(self) -> QWidget:
        panel, layout = self._panel((16, 12, 16, 16), 10)
        title = self._heading("display.hall_recent_title")
        layout.addWidget(title)
        self.newest = RecentRowWidget(120, 64)
        self.newest.set_color(style.HIGHLIGHT)
        self.newest.number.set_color(style.ON_HIGHLIGHT)
        self.newest.counter.set_color(style.ON_HIGHLIGHT)
        self._fix(self.newest, 160)
        layout.addWidget(self.newest)
        self.older = [RecentRowWidget(56, 48) for _ in range(RECENT_SIZE - 1)]
        for row in self.older:
            self._fix(row, 68)
            layout.addWidget(row)
        self.recent_empty = TextItem(44, color=style.MUTED, align=CENTER)
        self.recent_empty.setText(t("display.hall_recent_empty"))
        self._fix(self.recent_empty, 160)
        layout.addWidget(self.recent_empty)
        return panel

    def _build_waiting(self) -> QWidget:
        panel, layout = self._panel((20, 10, 20, 12), 4)
        title = self._heading("display.hall_waiting_title")
        self.waiting_total = TextItem(34, color=style.TEXT, align=RIGHT)
        layout.addLayout(_row((title, 13), (self.waiting_total, 7)))
        grid = QGridLayout()
        grid.setHorizontalSpacing(48)
        grid.setVerticalSpacing(2)
        rows = (WAITING_CELLS + 1) // 2
        self.waiting_rows = [WaitingRowWidget() for _ in range(WAITING_CELLS)]
        for i, row in enumerate(self.waiting_rows):  # down the first column, then the second
            grid.addWidget(row, i % rows, i // rows)
            self._fix(row, 50)
        layout.addLayout(grid)
        return panel

    def _build_offline(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 20, 24, 20)
        box = Box(style.ALERT)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(40, 40, 40, 40)
        self.offline_title = TextItem(150, bold=True, align=CENTER)
        self.offline_detail = TextItem(44, align=CENTER)
        inner.addStretch(1)
        inner.addWidget(self.offline_title)
        inner.addWidget(self.offline_detail)
        inner.addStretch(1)
        layout.addWidget(box)
        return page

    def _build_footer(self) -> QWidget:
        footer = Box(style.HEADER_BG, 0)
        hours = TextItem(30, color=style.MUTED)
        hours.setText(self.texts.working_hours)
        hotline = TextItem(32, bold=True, align=RIGHT)
        hotline.setText(self.texts.hotline)
        footer.setLayout(_row((hours, 7), (hotline, 3), margins=(28, 6, 28, 6)))
        return footer

    # ---- rendering -------------------------------------------------------------------------
    def render_model(self, model: HallModel, clock_text: str) -> None:
        self.clock.setText(clock_text)
        if not model.connected:
            key = "disconnected" if model.ever_connected else "connecting"
            self.offline_title.setText(t(f"display.{key}_title"))
            self.offline_detail.setText(t(f"display.{key}_detail"))
            self.stack.setCurrentWidget(self.offline)
            self._stop_blink()
            return
        self.stack.setCurrentWidget(self.content)
        self._render_serving(model)
        self._render_recent(model)
        self._render_waiting(model)
        self._render_stats(model)

    def set_clock(self, clock_text: str) -> None:
        self.clock.setText(clock_text)

    def _render_serving(self, model: HallModel) -> None:
        rows = model.counter_rows()
        while len(self.counter_rows) < len(rows):
            widget = CounterRowWidget()
            widget.setMaximumHeight(int(118 * self._scale()))
            self.counter_rows.append(widget)
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, widget, 1)
            self._apply_scale(widget)
        for widget, row in zip(self.counter_rows, rows):
            widget.name.setText(row.name)
            widget.number.setText(row.number or "—")
            widget.number.set_color(style.NUMBER if row.number else style.MUTED)
            widget.caption.setText(row.caption)
            widget.caption.set_color(style.HIGHLIGHT if row.paused else style.TEXT)
        for i, widget in enumerate(self.counter_rows):
            widget.setVisible(i < len(rows))
        self.serving_empty.setVisible(not rows)
        self.rows_layout.setStretchFactor(self.serving_empty, 1 if not rows else 0)

    def _render_recent(self, model: HallModel) -> None:
        calls = model.recent()
        rows = [self.newest, *self.older]
        for i, widget in enumerate(rows):
            if i < len(calls):
                call = calls[i]
                widget.number.setText(call.number)
                label = call.counter_name
                if call.recall:
                    label = f"{label} · {t('display.hall_recall')}"
                widget.counter.setText(label)
            widget.setVisible(i < len(calls))
        self.recent_empty.setVisible(not calls)
        if model.highlight_serial != self._serial:
            self._serial = model.highlight_serial
            if model.showing is not None:
                self._start_blink()
                self.callShown.emit(model.showing.number, model.showing.counter)

    def _render_waiting(self, model: HallModel) -> None:
        rows = model.waiting_rows()
        if len(rows) > len(self.waiting_rows):  # no room for all: services with people waiting first
            rows = sorted(rows, key=lambda row: row.waiting == 0)
        total = model.waiting_total()
        self.waiting_total.setText(t("display.hall_waiting_total", count=total) if total is not None else "")
        for i, widget in enumerate(self.waiting_rows):
            if i < len(rows):
                row = rows[i]
                widget.name.setText(row.name)
                widget.count.setText(str(row.waiting))
                widget.count.set_color(style.NUMBER if row.waiting else style.MUTED)
                widget.wait.setText(row.wait_text)
            widget.setVisible(i < len(rows))

    def _render_stats(self, model: HallModel) -> None:
        stats = model.stats()
        self.stats_boxes.setVisible(stats is not None)
        self.stats_empty.setVisible(stats is None)
        self.stats_period.setText(t("display.hall_stats_period", period=stats.period) if stats and stats.period else "")
        if stats is not None:
            self.stat_received.value.setText(str(stats.received_today))
            self.stat_in_progress.value.setText(str(stats.in_progress))
            self.stat_on_time.value.setText(str(stats.on_time))
            self.stat_overdue.value.setText(str(stats.overdue))

    # ---- blink -----------------------------------------------------------------------------
    def _start_blink(self) -> None:
        self._blinks_left = BLINK_TOGGLES
        self.newest.set_color(style.HIGHLIGHT_BLINK)
        self._blink.start()

    def _blink_step(self) -> None:
        self._blinks_left -= 1
        if self._blinks_left <= 0:
            self._stop_blink()
            return
        blinking = self.newest.color() == style.HIGHLIGHT
        self.newest.set_color(style.HIGHLIGHT_BLINK if blinking else style.HIGHLIGHT)

    def _stop_blink(self) -> None:
        self._blink.stop()
        self.newest.set_color(style.HIGHLIGHT)

    # ---- scale and introspection -------------------------------------------------------------
    def _scale(self) -> float:
        return min(self.width() / DESIGN[0], self.height() / DESIGN[1]) or 1.0

    def _fix(self, widget: QWidget, design_height: int) -> None:
        """Give ``widget`` a fixed height in design pixels (scaled with the window)."""
        self._fixed.append((widget, design_height))
        widget.setFixedHeight(int(design_height * self._scale()))

    def _apply_scale(self, widget: QWidget) -> None:
        self._scaler.apply(widget, self._scale())

    def resizeEvent(self, event) -> None:  # noqa: N802
        scale = self._scale()
        self._apply_scale(self)
        self.ticker.set_scale(scale)
        for widget in self.counter_rows:
            widget.setMaximumHeight(int(118 * scale))
        for widget, height in self._fixed:
            widget.setFixedHeight(int(height * scale))
        super().resizeEvent(event)

    def visible_texts(self) -> list[str]:
        """Every non-empty text shown now, top to bottom (what a person in the hall can read)."""
        items = [w for w in self.findChildren(TextItem) if w.isVisibleTo(self) and w.text()]
        items.sort(key=lambda w: (w.mapTo(self, w.rect().topLeft()).y(), w.mapTo(self, w.rect().topLeft()).x()))
        texts = [w.text() for w in items]
        if self.ticker.isVisibleTo(self):
            texts.append(self.ticker.text())
        return texts

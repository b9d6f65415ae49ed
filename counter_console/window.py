"""The counter console window: a small always-on-top PySide6 view of ``ConsoleModel``.

Pages: login, the main panel (current ticket with its ticking service time, ten big buttons with
F1–F10, waiting counts per service, held tickets), and one small form each for Hoàn thành,
Chuyển, Tạm nghỉ and Gọi số. Bus messages and replies arrive in other threads and are handed
over through ``ConsoleBridge`` signals. A USB HID keypad programmed to send F1–F10 drives the
same buttons as the keyboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_console.model import BUTTONS, OUTCOMES, ConsoleModel, ConsoleView, InputError
from motcua.clock import Clock
from motcua.i18n import t

SHORTCUTS = {f"F{i + 1}": action for i, action in enumerate(BUTTONS)}
_KEYS = {getattr(Qt.Key, f"Key_{name}"): action for name, action in SHORTCUTS.items()}
PAUSE_REASONS = ("break", "meeting", "dossier", "system")

# send(op, fields, on_done(reply | None), on_retry(attempt))
SendFn = Callable[[str, dict[str, Any], Callable[[dict | None], None], Callable[[int], None]], Any]

STYLE = """
QWidget { font-family: "Noto Sans", "DejaVu Sans"; font-size: 14px; color: #1d2733; }
ConsoleWindow, QStackedWidget > QWidget { background: #f3f5f8; }
QLabel#title { font-size: 18px; font-weight: 700; }
QLabel#subtitle { color: #4a5666; font-size: 13px; }
QLabel#status { border-radius: 10px; padding: 3px 10px; font-weight: 700; color: white; }
QLabel#status[kind="open"] { background: #2e7d32; }
QLabel#status[kind="paused"] { background: #e08a00; }
QLabel#status[kind="closed"], QLabel#status[kind="none"] { background: #78828e; }
QFrame#ticket { background: white; border: 1px solid #cfd6df; border-radius: 10px; }
QLabel#number { font-size: 46px; font-weight: 800; color: #0b4f9c; }
QLabel#number[empty="true"] { font-size: 22px; color: #78828e; font-weight: 600; }
QLabel#elapsed { font-size: 20px; font-weight: 700; color: #1d2733; }
QLabel#prio { background: #c62828; color: white; border-radius: 6px; padding: 1px 6px; font-weight: 700; }
QPushButton { background: white; border: 1px solid #b8c2cf; border-radius: 8px; padding: 6px; }
QPushButton:disabled { color: #a4adb8; background: #eceff3; border-color: #d9dee5; }
QPushButton#action { font-size: 16px; font-weight: 700; min-height: 48px; text-align: center; }
QPushButton#action[primary="true"]:enabled { background: #0b63c5; color: white; border-color: #0b63c5; }
QPushButton#held { font-weight: 700; color: #0b4f9c; min-height: 30px; }
QPushButton#ok:enabled { background: #0b63c5; color: white; border-color: #0b63c5; font-weight: 700; }
QLabel#message { padding: 6px; border-radius: 6px; }
QLabel#message[error="true"] { background: #fdecea; color: #a31515; }
QLabel#message[error="false"] { background: #e8f3ea; color: #1e5e24; }
QListWidget { background: white; border: 1px solid #cfd6df; border-radius: 6px; font-size: 15px; }
QListWidget::item { padding: 6px; }
QListWidget::item:selected { background: #0b63c5; color: white; }
QLineEdit { background: white; border: 1px solid #b8c2cf; border-radius: 6px; padding: 6px; font-size: 15px; }
QRadioButton { font-size: 15px; padding: 3px; }
"""


class ConsoleBridge(QObject):
    """Hands bus messages and replies over to the Qt thread."""

    counter_state = Signal(object)
    service_state = Signal(object)
    replied = Signal(str, object)
    retrying = Signal(int)


def _restyle(widget: QWidget, **props: Any) -> None:
    for name, value in props.items():
        widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class _Form(QWidget):
    """A small page with a title, a body, a message line and Xác nhận / Hủy."""

    def __init__(self, body: QWidget, on_ok: Callable[[], None], on_cancel: Callable[[], None]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        self.title = QLabel(objectName="title")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(body, 1)
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.cancel = QPushButton(t("console.btn_cancel"))
        self.ok = QPushButton(t("console.btn_ok"), objectName="ok")
        for button in (self.cancel, self.ok):
            button.setMinimumHeight(44)
            row.addWidget(button)
        self.cancel.clicked.connect(on_cancel)
        self.ok.clicked.connect(on_ok)
        layout.addLayout(row)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        _restyle(self.message, error=True)
        self.message.setVisible(bool(text))


class ConsoleWindow(QWidget):
    def __init__(self, model: ConsoleModel, send: SendFn, clock: Clock, always_on_top: bool = True) -> None:
        super().__init__()
        self.model = model
        self.send_fn = send
        self.clock = clock
        self.bridge = ConsoleBridge()
        self.bridge.counter_state.connect(self._on_counter_state)
        self.bridge.service_state.connect(self._on_service_state)
        self.bridge.replied.connect(self._on_reply)
        self.bridge.retrying.connect(self._on_retry)
        self.setObjectName("ConsoleWindow")
        self.setWindowTitle(t("console.window_title", counter=model.counter.name))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, always_on_top)
        self.setStyleSheet(STYLE)
        self.setFixedSize(440, 720)
        self.stack = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._build_login()
        self._build_main()
        self._build_forms()
        self._form_action: str | None = None
        self._view: ConsoleView | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(1000)
        self.refresh()

    # ---- pages --------------------------------------------------------------------------------
    def _build_login(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(18, 18, 18, 18)
        self.login_title = QLabel(objectName="title")
        layout.addWidget(self.login_title)
        layout.addWidget(QLabel(t("console.login_officer"), objectName="subtitle"))
        self.officer_list = QListWidget()
        for officer_id, name, title in self.model.officers():
            item = QListWidgetItem(f"{name}\n{title}")
            item.setData(Qt.ItemDataRole.UserRole, officer_id)
            self.officer_list.addItem(item)
        self.officer_list.currentItemChanged.connect(lambda *_: self._update_pin_field())
        self.officer_list.itemDoubleClicked.connect(lambda *_: self.do_login())
        layout.addWidget(self.officer_list, 1)
        self.pin_label = QLabel(t("console.login_pin"), objectName="subtitle")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.returnPressed.connect(self.do_login)
        layout.addWidget(self.pin_label)
        layout.addWidget(self.pin)
        self.login_message = QLabel(objectName="message")
        self.login_message.setWordWrap(True)
        layout.addWidget(self.login_message)
        self.login_button = QPushButton(t("console.login_button"), objectName="ok")
        self.login_button.setMinimumHeight(48)
        self.login_button.clicked.connect(self.do_login)
        layout.addWidget(self.login_button)
        self.stack.addWidget(page)
        self.login_page = page
        self._update_pin_field()

    def _build_main(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.counter_label = QLabel(objectName="title")
        self.status_label = QLabel(objectName="status")
        head.addWidget(self.counter_label, 1)
        head.addWidget(self.status_label)
        layout.addLayout(head)
        self.officer_label = QLabel(objectName="subtitle")
        self.officer_label.setWordWrap(True)
        layout.addWidget(self.officer_label)

        box = QFrame(objectName="ticket")
        box_layout = QGridLayout(box)
        box_layout.setContentsMargins(12, 8, 12, 8)
        self.ticket_label = QLabel(objectName="subtitle")
        self.elapsed_label = QLabel(objectName="elapsed")
        self.elapsed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.number_label = QLabel(objectName="number")
        self.prio_label = QLabel(t("console.priority"), objectName="prio")
        self.service_label = QLabel(objectName="subtitle")
        box_layout.addWidget(self.ticket_label, 0, 0)
        box_layout.addWidget(self.elapsed_label, 0, 1)
        box_layout.addWidget(self.number_label, 1, 0)
        box_layout.addWidget(self.prio_label, 1, 1, Qt.AlignmentFlag.AlignRight)
        box_layout.addWidget(self.service_label, 2, 0, 1, 2)
        layout.addWidget(box)

        grid = QGridLayout()
        grid.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        keys = {action: key for key, action in SHORTCUTS.items()}
        for index, action in enumerate(BUTTONS):
            button = QPushButton(objectName="action")
            button.setProperty("primary", action == "call_next")
            button.setProperty("key", keys[action])
            button.clicked.connect(lambda _=False, a=action: self.trigger(a))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[action] = button
        layout.addLayout(grid)

        layout.addWidget(QLabel(t("console.waiting_title"), objectName="subtitle"))
        self.waiting_labels: list[QLabel] = []
        for _code in self.model.counter.service_codes:
            label = QLabel()
            self.waiting_labels.append(label)
            layout.addWidget(label)
        layout.addWidget(QLabel(t("console.held_title"), objectName="subtitle"))
        self.held_row = QHBoxLayout()
        self.held_row.setSpacing(6)
        self.held_none = QLabel(t("console.held_none"))
        self.held_row.addWidget(self.held_none)
        self.held_row.addStretch(1)
        self.held_buttons: list[QPushButton] = []
        layout.addLayout(self.held_row)
        layout.addStretch(1)
        self.pending_label = QLabel(objectName="subtitle")
        layout.addWidget(self.pending_label)
        self.message_label = QLabel(objectName="message")
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.stack.addWidget(page)
        self.main_page = page

    def _build_forms(self) -> None:
        body = QWidget()
        finish = QVBoxLayout(body)
        finish.setContentsMargins(0, 0, 0, 0)
        finish.addWidget(QLabel(t("console.finish_outcome"), objectName="subtitle"))
        self.outcome_group = QButtonGroup(self)
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for outcome in OUTCOMES:
            radio = QRadioButton(t(f"console.outcome_{outcome}"))
            self.outcome_group.addButton(radio)
            self.outcome_buttons[outcome] = radio
            finish.addWidget(radio)
        finish.addWidget(QLabel(t("console.finish_dossier"), objectName="subtitle"))
        self.dossier = QLineEdit(placeholderText=t("console.finish_dossier_hint"))
        self.dossier.returnPressed.connect(self._form_ok)
        finish.addWidget(self.dossier)
        finish.addStretch(1)
        self.finish_form = _Form(body, self._form_ok, self._form_cancel)
        self.dossier.textEdited.connect(lambda _text: self.finish_form.show_error(""))

        body = QWidget()
        transfer = QVBoxLayout(body)
        transfer.setContentsMargins(0, 0, 0, 0)
        self.transfer_list = QListWidget()
        transfer.addWidget(self.transfer_list)
        self.transfer_form = _Form(body, self._form_ok, self._form_cancel)

        body = QWidget()
        pause = QVBoxLayout(body)
        pause.setContentsMargins(0, 0, 0, 0)
        pause.addWidget(QLabel(t("console.pause_reason"), objectName="subtitle"))
        self.pause_list = QListWidget()
        for key in PAUSE_REASONS:
            self.pause_list.addItem(t(f"console.pause_reason_{key}"))
        pause.addWidget(self.pause_list, 1)
        self.pause_other = QLineEdit(placeholderText=t("console.pause_reason_other"))
        self.pause_other.returnPressed.connect(self._form_ok)
        pause.addWidget(self.pause_other)
        self.pause_form = _Form(body, self._form_ok, self._form_cancel)

        body = QWidget()
        call = QVBoxLayout(body)
        call.setContentsMargins(0, 0, 0, 0)
        call.addWidget(QLabel(t("console.call_number"), objectName="subtitle"))
        self.call_number = QLineEdit()
        self.call_number.returnPressed.connect(self._form_ok)
        call.addWidget(self.call_number)
        call.addStretch(1)
        self.call_form = _Form(body, self._form_ok, self._form_cancel)

        self.forms = {"finish": self.finish_form, "transfer": self.transfer_form, "pause": self.pause_form,
                      "call": self.call_form}
        for form in self.forms.values():
            self.stack.addWidget(form)

    # ---- bus input (Qt thread) ----------------------------------------------------------------
    def _on_counter_state(self, msg: dict) -> None:
        self.model.apply_counter_state(msg)
        self.refresh()

    def _on_service_state(self, msg: dict) -> None:
        self.model.apply_service_state(msg)
        self.refresh()

    def _on_reply(self, op: str, reply: dict | None) -> None:
        self.model.finish_command(op, reply, self.clock.now())
        self.refresh()

    def _on_retry(self, attempt: int) -> None:
        self.model.retrying(attempt)
        self.refresh()

    # ---- actions ------------------------------------------------------------------------------
    def do_login(self) -> None:
        item = self.officer_list.currentItem()
        officer_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        try:
            fields = self.model.login(officer_id, self.pin.text())
        except InputError as exc:
            self.model.fail_locally(str(exc))
            self.refresh()
            return
        self.pin.clear()
        if fields is not None:
            self._send("open", fields)
        self.refresh()

    def select_officer(self, officer_id: str) -> None:
        for row in range(self.officer_list.count()):
            if self.officer_list.item(row).data(Qt.ItemDataRole.UserRole) == officer_id:
                self.officer_list.setCurrentRow(row)

    def trigger(self, action: str) -> None:
        """A button or its F-key: send at once, or open the button's form first."""
        view = self._view
        if view is None or view.screen != "main" or not view.enabled.get(action):
            return
        if action in self.forms and not (action == "pause" and view.status == "paused"):
            self._open_form(action)
        else:
            self._submit(action)

    def call_held(self, number: str) -> None:
        if self._view is not None and self._view.enabled.get("call"):
            self._submit("call", ticket=number)

    def _submit(self, action: str, **args: Any) -> bool:
        try:
            op, fields = self.model.command(action, **args)
        except InputError as exc:
            if self._form_action:
                self.forms[self._form_action].show_error(str(exc))
            else:
                self.model.fail_locally(str(exc))
                self.refresh()
            return False
        self._send(op, fields)
        return True

    def _send(self, op: str, fields: dict[str, Any]) -> None:
        self.model.begin(op)
        self.send_fn(op, fields, lambda reply: self.bridge.replied.emit(op, reply), self.bridge.retrying.emit)
        self.refresh()

    def _open_form(self, action: str) -> None:
        form = self.forms[action]
        number = self._view.number if self._view else ""
        form.show_error("")
        if action == "finish":
            form.title.setText(t("console.finish_title", number=number))
            self.outcome_buttons["received"].setChecked(True)
            self.dossier.clear()
            focus = self.dossier
        elif action == "transfer":
            form.title.setText(t("console.transfer_title", number=number))
            self.transfer_list.clear()
            targets = (("to_service", t("console.transfer_to_service"), self.model.transfer_services()),
                       ("to_counter", t("console.transfer_to_counter"), self.model.transfer_counters()))
            for kind, label, choices in targets:
                for target, name in choices:
                    item = QListWidgetItem(f"{label}: {name}")
                    item.setData(Qt.ItemDataRole.UserRole, (kind, target))
                    self.transfer_list.addItem(item)
            focus = self.transfer_list
        elif action == "pause":
            form.title.setText(t("console.pause_title"))
            self.pause_list.setCurrentRow(0)
            self.pause_other.clear()
            focus = self.pause_list
        else:
            form.title.setText(t("console.call_title"))
            self.call_number.clear()
            focus = self.call_number
        self._form_action = action
        self.stack.setCurrentWidget(form)
        focus.setFocus()

    def _form_ok(self) -> None:
        action = self._form_action
        if action == "finish":
            outcome = next((o for o, b in self.outcome_buttons.items() if b.isChecked()), None)
            args = {"outcome": outcome, "dossier": self.dossier.text()}
        elif action == "transfer":
            item = self.transfer_list.currentItem()
            kind, target = item.data(Qt.ItemDataRole.UserRole) if item else (None, None)
            args = {kind: target} if kind else {}
        elif action == "pause":
            item = self.pause_list.currentItem()
            args = {"reason": self.pause_other.text().strip() or (item.text() if item else "")}
        elif action == "call":
            args = {"ticket": self.call_number.text()}
        else:
            return
        if self._submit(action, **args):
            self._form_cancel()

    def _form_cancel(self) -> None:
        self._form_action = None
        self.refresh()

    @property
    def form_action(self) -> str | None:
        """The form shown (finish, transfer, pause, call), None on the main panel."""
        return self._form_action

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        if self._form_action and key == Qt.Key.Key_Escape:
            self._form_cancel()
        elif self._form_action and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._form_ok()
        elif not self._form_action and key in _KEYS:
            self.trigger(_KEYS[key])
        else:
            super().keyPressEvent(event)

    # ---- drawing ------------------------------------------------------------------------------
    def _update_pin_field(self) -> None:
        item = self.officer_list.currentItem()
        needed = bool(item) and self.model.needs_pin(item.data(Qt.ItemDataRole.UserRole))
        self.pin_label.setVisible(needed)
        self.pin.setVisible(needed)

    def refresh(self) -> None:
        view = self.model.view(self.clock.now())
        self._view = view
        if view.screen == "login":
            self._form_action = None
            self.login_title.setText(f"{view.counter_name} – {t('console.login_title')}")
            self.login_message.setText(view.message)
            _restyle(self.login_message, error=view.message_is_error)
            self.login_message.setVisible(bool(view.message))
            self.login_button.setEnabled(self.model.pending_op is None)
            self.stack.setCurrentWidget(self.login_page)
            return
        if not self._form_action:
            self.stack.setCurrentWidget(self.main_page)
        self.counter_label.setText(view.counter_name)
        self.status_label.setText(view.status_text)
        _restyle(self.status_label, kind=view.status or "none")
        self.officer_label.setText(f"{view.officer_name} · {view.officer_title}" if view.officer_title
                                   else view.officer_name)
        self.ticket_label.setText(view.ticket_label)
        self.elapsed_label.setText(view.elapsed_text)
        self.number_label.setText(view.number or t("console.no_ticket"))
        _restyle(self.number_label, empty=view.number is None)
        self.prio_label.setVisible(view.priority)
        self.service_label.setText(view.service_name)
        for action, button in self.buttons.items():
            text = view.pause_label if action == "pause" else t(f"console.btn_{action}")
            button.setText(f"{text}   {button.property('key')}")
            button.setEnabled(view.enabled[action])
        for label, line in zip(self.waiting_labels, view.waiting, strict=True):
            text = t("console.waiting_line", name=line.name, waiting=line.waiting)
            if line.waiting:
                text += "  " + t("console.waiting_est", minutes=max(1, round(line.est_wait_s / 60)))
            label.setText(text)
        self._draw_held(view.held, view.enabled["call"])
        self.pending_label.setText(view.pending_text)
        self.message_label.setText(view.message)
        _restyle(self.message_label, error=view.message_is_error)
        self.message_label.setVisible(bool(view.message))

    def _draw_held(self, held: list[str], callable_: bool) -> None:
        held = held[:6]
        if [b.text() for b in self.held_buttons] != held:
            for button in self.held_buttons:
                self.held_row.removeWidget(button)
                button.deleteLater()
            self.held_buttons = []
            for index, number in enumerate(held):
                button = QPushButton(number, objectName="held")
                button.clicked.connect(lambda _=False, n=number: self.call_held(n))
                self.held_row.insertWidget(index, button)
                self.held_buttons.append(button)
        self.held_none.setVisible(not held)
        for button in self.held_buttons:
            button.setEnabled(callable_)

    def save_screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.grab().save(str(path))
        return path

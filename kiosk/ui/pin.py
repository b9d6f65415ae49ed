"""The technician's way out: a PIN pad reached by holding a finger on the header."""

from __future__ import annotations

import hmac

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from kiosk.ui.base import KioskContext, Screen
from kiosk.ui.widgets import Keyboard, button, label, set_prop
from kiosk.vn_input import TextBuffer
from motcua.i18n import t

MAX_TRIES = 3


class PinScreen(Screen):
    name = "pin"
    show_nav = False

    def __init__(self, ctx: KioskContext, unlock) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.unlock = unlock
        self.buffer = TextBuffer(max_len=12)
        self.tries = 0
        self.title(t("kiosk.pin_title"))
        form = QVBoxLayout()
        form.setSpacing(m.px(20))
        form.addWidget(label(t("kiosk.pin_hint"), "Hint"))
        self.line = QLineEdit()
        self.line.setReadOnly(True)
        self.line.setEchoMode(QLineEdit.Password)
        self.line.setAlignment(Qt.AlignCenter)
        self.line.setMinimumHeight(m.px(110))
        form.addWidget(self.line)
        self.message = label("", "Notice")
        set_prop(self.message, "tone", "error")
        form.addWidget(self.message)
        form.addStretch(1)
        row = QHBoxLayout()
        self.cancel = button(t("kiosk.pin_cancel"), None, m.px(120))
        self.ok = button(t("kiosk.pin_ok"), "primary", m.px(120))
        row.addWidget(self.cancel)
        row.addWidget(self.ok)
        form.addLayout(row)
        self.keyboard = Keyboard(m, "digits")
        self.keyboard.typed.connect(lambda text: self._apply(self.buffer.insert, text))
        self.keyboard.backspace.connect(lambda: self._apply(self.buffer.backspace))
        self.keyboard.cleared.connect(lambda: self._apply(self.buffer.clear))
        self.form_and_keys(form, self.keyboard)
        self.cancel.clicked.connect(ctx.home)
        self.ok.clicked.connect(self._check)

    def prepare(self, **kwargs: object) -> None:
        self.buffer.clear()
        self.tries = 0
        self.message.setText("")

    def _apply(self, op, *args) -> None:
        op(*args)
        self.refresh()

    def _check(self) -> None:
        secret = self.ctx.cfg.kiosk.pin
        if secret is None:
            return
        if hmac.compare_digest(self.buffer.text.encode(), secret.get_secret_value().encode()):
            self.unlock()
            return
        self.tries += 1
        self.buffer.clear()
        if self.tries >= MAX_TRIES:
            self.ctx.home()
            return
        self.message.setText(t("kiosk.pin_wrong"))
        self.refresh()

    def refresh(self) -> None:
        self.line.setText(self.buffer.text)
        configured = self.ctx.cfg.kiosk.pin is not None
        if not configured:
            self.message.setText(t("kiosk.pin_none"))
        self.ok.setEnabled(configured and bool(self.buffer.text))
        self.message.setVisible(bool(self.message.text()))

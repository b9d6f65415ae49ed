"""Looking up a dossier: the code typed or scanned, the optional second factor, the result.

Lookups run on a worker thread (the source may be a slow API); the screen stays responsive and
shows "Đang tra cứu…" meanwhile.
"""

from __future__ import annotations

from concurrent.futures import Future

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLineEdit, QVBoxLayout

from kiosk.dossiers.codes import CodeState, check_typed
from kiosk.dossiers.lookup import DossierView, LookupResult, Outcome
from kiosk.ui.base import KioskContext, Screen
from kiosk.ui.widgets import Keyboard, ScrollPanel, button, label, set_prop
from kiosk.vn_input import TextBuffer
from motcua.i18n import t

ERROR_OUTCOMES = (Outcome.UNAVAILABLE, Outcome.NOT_CONFIGURED, Outcome.LOCKED)


class LookupRunner:
    """One lookup at a time on the context's worker pool; answers come back on the UI thread,
    and only for the latest request (a citizen who left does not get an old answer)."""

    def __init__(self, ctx: KioskContext, on_result) -> None:
        self.ctx, self.on_result = ctx, on_result
        self.token = 0
        self.busy = False

    def run(self, code: str, id_last4: str | None = None) -> None:
        self.token += 1
        token = self.token
        self.busy = True
        future = self.ctx.workers.submit(self.ctx.lookup.lookup, code, id_last4)
        future.add_done_callback(lambda f: self.ctx.poster.post(lambda: self._done(token, f)))

    def cancel(self) -> None:
        self.token += 1
        self.busy = False

    def _done(self, token: int, future: Future) -> None:
        if token != self.token:
            return
        self.busy = False
        self.on_result(future.result())


class DossierScreen(Screen):
    name = "dossier"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.buffer = TextBuffer(max_len=40, upper=True)
        self.runner = LookupRunner(ctx, self._result)
        self.message_text = ""
        self.title(t("kiosk.dossier_title"))
        form = QVBoxLayout()
        form.setSpacing(m.px(20))
        form.addWidget(label(t("kiosk.dossier_hint"), "Hint"))
        self.line = QLineEdit()
        self.line.setPlaceholderText(t("kiosk.dossier_example"))
        self.line.setMinimumHeight(m.px(100))
        self.line.textEdited.connect(lambda text: self._apply(self.buffer.set, text))
        form.addWidget(self.line)
        self.check = label("", "Check")
        form.addWidget(self.check)
        self.search = button(t("kiosk.dossier_search"), "primary", m.px(130))
        self.search.clicked.connect(self.start_lookup)
        form.addWidget(self.search)
        self.message = label("", "Notice")
        form.addWidget(self.message)
        self.camera = label("", "Hint")
        form.addWidget(self.camera)
        form.addStretch(1)
        self.keyboard = Keyboard(m, "code")
        self.keyboard.typed.connect(lambda text: self._apply(self.buffer.insert, text))
        self.keyboard.backspace.connect(lambda: self._apply(self.buffer.backspace))
        self.keyboard.cleared.connect(lambda: self._apply(self.buffer.clear))
        self.form_and_keys(form, self.keyboard)
        self.camera_error: str | None = None

    def shot_name(self) -> str:
        if self.runner.busy:
            return "dossier-searching"
        return "dossier-message" if self.message_text else "dossier"

    def prepare(self, **kwargs: object) -> None:
        self.buffer.clear()
        self.message_text = ""
        self.runner.cancel()

    def entered(self) -> None:
        scanner = self.ctx.scanner
        if scanner is not None and self.camera_error is None:
            scanner.start()
        self.refresh()

    def left(self) -> None:
        if self.ctx.scanner is not None:
            self.ctx.scanner.stop()

    def camera_failed(self, detail: str) -> None:
        self.camera_error = detail
        self.refresh()

    def scanned(self, code: str) -> None:
        """A code read by the camera: show it and look it up at once."""
        if self.runner.busy:
            return
        self.buffer.set(code)
        self.start_lookup()

    def _apply(self, op, *args) -> None:
        op(*args)
        self.message_text = ""
        self.refresh()
        self.ctx.changed()

    def start_lookup(self) -> None:
        check = check_typed(self.buffer.text)
        if self.runner.busy or not check.valid:
            return
        self.message_text = t("kiosk.dossier_searching", code=check.text)
        self.runner.run(check.text)
        self.refresh()
        self.ctx.changed()

    def _result(self, result: LookupResult) -> None:
        if result.outcome is Outcome.FOUND:
            self.message_text = ""
            self.ctx.go("dossier_result", view=result.view)
        elif result.outcome is Outcome.NEED_FACTOR:
            self.message_text = ""
            self.ctx.go("factor", code=result.code)
        else:
            self.message_text = result.message
            self.refresh()
            self.ctx.changed()

    def refresh(self) -> None:
        if self.line.text() != self.buffer.text:
            self.line.setText(self.buffer.text)
        check = check_typed(self.buffer.text)
        texts = {CodeState.EMPTY: t("kiosk.dossier_typing"), CodeState.TYPING: t("kiosk.dossier_typing"),
                 CodeState.VALID: t("kiosk.dossier_valid"), CodeState.INVALID: t("kiosk.dossier_invalid")}
        self.check.setText(texts[check.state])
        set_prop(self.check, "state", check.state.value)
        self.search.setEnabled(check.valid and not self.runner.busy)
        self.message.setText(self.message_text)
        set_prop(self.message, "tone", "info" if self.runner.busy else "warn")
        self.message.setVisible(bool(self.message_text))
        if self.ctx.scanner is None:
            self.camera.setText(t("kiosk.dossier_scan_off"))
        elif self.camera_error:
            self.camera.setText(t("kiosk.dossier_camera_error"))
        else:
            self.camera.setText(t("kiosk.dossier_scan_hint"))


class FactorScreen(Screen):
    """The second factor: the last four digits of the applicant's ID number."""

    name = "factor"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.code = ""
        self.buffer = TextBuffer(max_len=4)
        self.runner = LookupRunner(ctx, self._result)
        self.message_text = ""
        self.title(t("kiosk.dossier_factor_title"))
        form = QVBoxLayout()
        form.setSpacing(m.px(20))
        self.hint = label("", "Hint")
        form.addWidget(self.hint)
        self.line = QLineEdit()
        self.line.setReadOnly(True)
        self.line.setEchoMode(QLineEdit.Password)
        self.line.setAlignment(Qt.AlignCenter)
        self.line.setMinimumHeight(m.px(110))
        form.addWidget(self.line)
        self.message = label("", "Notice")
        form.addWidget(self.message)
        form.addStretch(1)
        self.search = button(t("kiosk.dossier_search"), "primary", m.px(130))
        self.search.clicked.connect(self.start_lookup)
        form.addWidget(self.search)
        self.keyboard = Keyboard(m, "digits")
        self.keyboard.typed.connect(lambda text: self._apply(self.buffer.insert, text))
        self.keyboard.backspace.connect(lambda: self._apply(self.buffer.backspace))
        self.keyboard.cleared.connect(lambda: self._apply(self.buffer.clear))
        self.form_and_keys(form, self.keyboard)

    def prepare(self, code: str = "", **kwargs: object) -> None:
        self.code = code
        self.buffer.clear()
        self.message_text = ""
        self.runner.cancel()

    def _apply(self, op, *args) -> None:
        op(*args)
        self.message_text = ""
        self.refresh()

    def start_lookup(self) -> None:
        if self.runner.busy or len(self.buffer.text) != 4:
            return
        self.message_text = t("kiosk.dossier_searching", code=self.code)
        self.runner.run(self.code, self.buffer.text)
        self.refresh()

    def _result(self, result: LookupResult) -> None:
        if result.outcome is Outcome.FOUND:
            self.ctx.go("dossier_result", view=result.view)
            return
        self.buffer.clear()
        self.message_text = result.message
        self.refresh()
        self.ctx.changed()

    def refresh(self) -> None:
        self.hint.setText(t("kiosk.dossier_factor_hint", code=self.code))
        self.line.setText(self.buffer.text)
        self.search.setEnabled(len(self.buffer.text) == 4 and not self.runner.busy)
        self.message.setText(self.message_text)
        set_prop(self.message, "tone", "info" if self.runner.busy else "warn")
        self.message.setVisible(bool(self.message_text))


class DossierResultScreen(Screen):
    name = "dossier_result"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.view: DossierView | None = None
        self.title(t("kiosk.dossier_title"))
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        self.another = button(t("kiosk.dossier_another"), "primary", ctx.m.px(130))
        self.another.clicked.connect(lambda: ctx.go("dossier"))
        self.layout_.addWidget(self.another)
        self.status: object | None = None
        self.due: object | None = None

    def prepare(self, view: DossierView | None = None, **kwargs: object) -> None:
        self.view = view

    def refresh(self) -> None:
        m, view = self.ctx.m, self.view
        self.panel.reset()
        if view is None:
            return
        self.status = label(view.status, "Status")
        self.status.setStyleSheet(f"font-size: {m.px(52)}px; font-weight: bold;")
        set_prop(self.status, "kind", view.status_kind)
        self.panel.body.addWidget(self.status)
        if view.overdue_text:
            overdue = label(view.overdue_text, "Notice")
            set_prop(overdue, "tone", "error")
            self.panel.body.addWidget(overdue)
        facts = QFrame()
        facts.setObjectName("KeyFacts")
        grid = QGridLayout(facts)
        grid.setContentsMargins(m.px(24), m.px(20), m.px(24), m.px(20))
        grid.setVerticalSpacing(m.px(4))
        rows = [
            ("dossier_code", view.code),
            ("dossier_procedure", view.procedure),
            ("dossier_applicant", view.applicant),
            ("dossier_received", view.received),
            ("dossier_due", view.due),
            ("dossier_done", view.done),
            ("dossier_place", view.collect_place),
            ("dossier_note", view.note),
        ]
        row = 0
        for key, value in rows:
            if not value:
                continue
            grid.addWidget(label(t(f"kiosk.{key}"), "FactLabel"), row, 0)
            value_label = label(value, "FactValue")
            if key == "dossier_due":
                set_prop(value_label, "overdue", "true" if view.overdue else "false")
                self.due = value_label
            grid.addWidget(value_label, row + 1, 0)
            row += 2
        self.panel.body.addWidget(facts)
        self.panel.body.addStretch(1)

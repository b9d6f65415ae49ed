"""Home, and taking a number: fields, services, the priority confirmation, the ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.flow import TakeState
from kiosk.ui.base import KioskContext, Screen
from kiosk.ui.widgets import ChoiceButton, QrCode, ScrollPanel, button, clear_layout, label, set_prop
from motcua.i18n import t


class HomeScreen(Screen):
    name = "home"
    show_nav = False

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.layout_.addWidget(label(t("kiosk.home_welcome"), "Title", align=Qt.AlignCenter))
        grid = QGridLayout()
        grid.setSpacing(m.px(30))
        self.take = ChoiceButton(t("kiosk.home_take"), t("kiosk.home_take_hint"), "primary", m.px(300))
        self.search = ChoiceButton(t("kiosk.home_search"), t("kiosk.home_search_hint"), None, m.px(300))
        self.dossier = ChoiceButton(t("kiosk.home_dossier"), t("kiosk.home_dossier_hint"), None, m.px(300))
        for index, choice in enumerate((self.take, self.search, self.dossier)):
            choice.title.setStyleSheet(f"font-size: {m.px(58)}px;")
            choice.note.setStyleSheet(f"font-size: {m.px(32)}px;")
            if m.portrait:
                grid.addWidget(choice, index, 0)
            else:
                grid.addWidget(choice, 0, index)
        self.layout_.addStretch(1)
        self.layout_.addLayout(grid)
        self.layout_.addWidget(label(t("kiosk.home_priority_note"), "Hint", align=Qt.AlignCenter))
        self.layout_.addStretch(1)
        self.banner = label("", "Banner", align=Qt.AlignCenter)
        self.layout_.addWidget(self.banner)
        hotline = ctx.cfg.office.hotline
        footer = " · ".join(filter(None, [ctx.cfg.office.working_hours_text,
                                           t("kiosk.home_hotline", hotline=hotline) if hotline else None]))
        self.layout_.addWidget(label(footer, "Small", align=Qt.AlignCenter))
        self.take.clicked.connect(self._take)
        self.search.clicked.connect(lambda: ctx.go("search"))
        self.dossier.clicked.connect(lambda: ctx.go("dossier"))

    def _take(self) -> None:
        if self.ctx.flow is not None:
            self.ctx.flow.reset()
        self.ctx.go("fields")

    def refresh(self) -> None:
        status = self.ctx.status
        if not status["connected"]:
            self.banner.setText(t("kiosk.offline"))
        elif not status["printer_ok"]:
            self.banner.setText(t("kiosk.printer_down"))
        self.banner.setVisible(not status["connected"] or not status["printer_ok"])


class PriorityBar(QWidget):
    """"I am a priority citizen" button, or, once confirmed, the banner and a way back."""

    def __init__(self, ctx: KioskContext, on_cancel) -> None:
        super().__init__()
        m = ctx.m
        self.ask = button(t("kiosk.priority_button"), "priority", m.px(110))
        self.active = label(t("kiosk.priority_active"), "Banner", align=Qt.AlignCenter)
        self.cancel = button(t("kiosk.priority_cancel"), None, m.px(100))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ask, 1)
        row.addWidget(self.active, 1)
        row.addWidget(self.cancel)
        self.ask.clicked.connect(lambda: ctx.go("priority"))
        self.cancel.clicked.connect(on_cancel)

    def show_priority(self, priority: bool) -> None:
        self.ask.setVisible(not priority)
        self.active.setVisible(priority)
        self.cancel.setVisible(priority)


class FieldsScreen(Screen):
    name = "fields"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.title(t("kiosk.fields_title"))
        self.priority = PriorityBar(ctx, self._cancel_priority)
        self.layout_.addWidget(self.priority)
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        self.buttons: dict[str, ChoiceButton] = {}

    def _cancel_priority(self) -> None:
        self.ctx.flow.set_priority(False)
        self.refresh()
        self.ctx.changed()

    def refresh(self) -> None:
        ctx, m = self.ctx, self.ctx.m
        self.priority.show_priority(ctx.flow.priority)
        self.panel.reset()
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(m.px(22))
        self.buttons = {}
        for index, option in enumerate(ctx.board.fields(ctx.clock.now())):
            waiting = option.waiting
            if not option.open:
                note = t("kiosk.field_closed")
            elif waiting:
                note = t("kiosk.field_waiting", count=waiting)
            else:  # nobody waiting, or not known yet (no state from ticketd)
                note = t("kiosk.field_no_queue") if waiting == 0 else ""
            choice = ChoiceButton(option.name, note, None, m.px(170), closed=not option.open)
            choice.clicked.connect(lambda _=False, name=option.name: self._choose(name))
            grid.addWidget(choice, index // m.columns, index % m.columns)
            self.buttons[option.name] = choice
        for column in range(m.columns):
            grid.setColumnStretch(column, 1)
        self.panel.body.addWidget(holder)
        self.panel.body.addStretch(1)

    def _choose(self, field: str) -> None:
        self.ctx.flow.choose_field(field)
        self.ctx.go("services")


class ServicesScreen(Screen):
    name = "services"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.heading = label("", "Title")
        self.layout_.addWidget(self.heading)
        self.subtitle = label(t("kiosk.services_title"), "Hint")
        self.layout_.addWidget(self.subtitle)
        self.priority = label(t("kiosk.priority_active"), "Banner", align=Qt.AlignCenter)
        self.layout_.addWidget(self.priority)
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        self.buttons: dict[str, ChoiceButton] = {}

    def refresh(self) -> None:
        ctx, m = self.ctx, self.ctx.m
        field = ctx.flow.field or ""
        self.heading.setText(field)
        self.priority.setVisible(ctx.flow.priority)
        self.panel.reset()
        self.buttons = {}
        option = ctx.board.field(field, ctx.clock.now())
        for service in option.services if option else ():
            note = service.note
            if not service.open:
                note += "\n" + t("kiosk.service_hours_week", hours=service.hours_week)
            choice = ChoiceButton(service.name, note, "primary" if service.open else None, m.px(170),
                                  closed=not service.open)
            choice.setEnabled(service.open)
            choice.clicked.connect(lambda _=False, code=service.code: self._take(code))
            self.panel.body.addWidget(choice)
            self.buttons[service.code] = choice
        self.panel.body.addStretch(1)

    def _take(self, code: str) -> None:
        if self.ctx.flow.take(code) is not None:
            self.ctx.go("ticket")


class PriorityScreen(Screen):
    name = "priority"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.title(t("kiosk.priority_title"))
        self.layout_.addWidget(label(t("kiosk.priority_intro"), "Section"))
        groups = QGridLayout()
        per_row = 1 if m.portrait else 2
        for index, key in enumerate(("elderly", "disabled", "pregnant", "child")):
            item = label("•  " + t(f"kiosk.priority_{key}"), "TicketService")
            item.setContentsMargins(m.px(30), 0, 0, 0)
            groups.addWidget(item, index // per_row, index % per_row)
        self.layout_.addLayout(groups)
        notice = label(t("kiosk.priority_no_proof"), "Notice")
        set_prop(notice, "tone", "info")
        self.layout_.addWidget(notice)
        self.layout_.addStretch(1)
        self.confirm = button(t("kiosk.priority_confirm"), "go", m.px(150))
        self.decline = button(t("kiosk.priority_decline"), None, m.px(150))
        answers = QVBoxLayout() if m.portrait else QHBoxLayout()
        answers.setSpacing(m.px(22))
        answers.addWidget(self.confirm)
        answers.addWidget(self.decline)
        self.layout_.addLayout(answers)
        self.confirm.clicked.connect(lambda: self._answer(True))
        self.decline.clicked.connect(lambda: self._answer(False))

    def _answer(self, priority: bool) -> None:
        self.ctx.flow.set_priority(priority)
        self.ctx.back()


class TicketScreen(Screen):
    """The number being taken, the number taken, or why not (with "Thử lại" when silent)."""

    name = "ticket"
    show_nav = False

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.body = QVBoxLayout()
        self.body.setSpacing(ctx.m.px(22))
        self.layout_.addLayout(self.body, 1)
        self.retry: object | None = None
        self.done: object | None = None

    def shot_name(self) -> str:
        flow = self.ctx.flow
        if flow.state is TakeState.ISSUED:
            return "ticket" if flow.ticket.printed else "ticket-print-failed"
        return {TakeState.SENDING: "ticket-sending", TakeState.REFUSED: "ticket-refused",
                TakeState.NO_ANSWER: "ticket-no-answer"}.get(flow.state, "ticket")

    def refresh(self) -> None:
        ctx, m, flow = self.ctx, self.ctx.m, self.ctx.flow
        clear_layout(self.body)
        self.retry = self.done = None
        self.number = None
        if flow.state is TakeState.SENDING:
            self.body.addStretch(1)
            self.body.addWidget(label(t("kiosk.ticket_sending"), "Title", align=Qt.AlignCenter))
            self.body.addStretch(2)
        elif flow.state is TakeState.ISSUED:
            self._issued()
        else:
            self.body.addWidget(label(t("kiosk.take_failed_title"), "Title"))
            message = label(flow.message or "", "Notice")
            set_prop(message, "tone", "error" if flow.state is TakeState.REFUSED else "warn")
            self.body.addWidget(message)
            self.body.addStretch(1)
            if flow.state is TakeState.NO_ANSWER:
                self.retry = button(t("kiosk.take_retry"), "primary", m.px(170))
                self.retry.clicked.connect(flow.retry)
                self.body.addWidget(self.retry)
            else:
                other = button(t("kiosk.take_other"), "primary", m.px(150))
                other.clicked.connect(ctx.back)
                self.body.addWidget(other)
            home = button(t("kiosk.nav_home"), "nav", m.px(120))
            home.clicked.connect(ctx.home)
            self.body.addWidget(home)

    def _issued(self) -> None:
        m, ticket = self.ctx.m, self.ctx.flow.ticket
        number_box = QVBoxLayout()
        number_box.addWidget(label(t("kiosk.ticket_heading"), "TicketHeading", align=Qt.AlignCenter))
        self.number = label(ticket.number, "TicketNumber", wrap=False, align=Qt.AlignCenter)
        number_box.addWidget(self.number)
        if ticket.priority:
            number_box.addWidget(label(t("kiosk.ticket_priority"), "Banner", align=Qt.AlignCenter))
        number_box.addWidget(label(ticket.service_name, "TicketService", align=Qt.AlignCenter))
        info = QVBoxLayout()
        info.setSpacing(m.px(22))
        if not ticket.printed:
            remember = label(t("kiosk.ticket_remember"), "Notice", align=Qt.AlignCenter)
            remember.setStyleSheet(f"font-size: {m.px(46)}px;")
            set_prop(remember, "tone", "warn")
            info.addWidget(remember)
        row = QHBoxLayout()
        lines = QVBoxLayout()
        lines.addWidget(label(ticket.ahead_text, "TicketLine"))
        lines.addWidget(label(ticket.wait_text, "TicketLine"))
        lines.addStretch(1)
        row.addLayout(lines, 1)
        if ticket.qr_url:
            qr = QVBoxLayout()
            qr.addWidget(QrCode(ticket.qr_url, m.px(230)))
            caption = label(t("kiosk.ticket_qr"), "Small", align=Qt.AlignCenter)
            caption.setMaximumWidth(m.px(300))
            qr.addWidget(caption)
            row.addLayout(qr)
        info.addLayout(row)
        notice = label(ticket.print_problem if not ticket.printed else t("kiosk.ticket_printed"), "Notice",
                       align=Qt.AlignCenter)
        set_prop(notice, "tone", "ok" if ticket.printed else "warn")
        info.addWidget(notice)
        info.addStretch(1)
        self.done = button(t("kiosk.ticket_done"), "primary", m.px(140))
        self.done.clicked.connect(self.ctx.home)
        info.addWidget(self.done)
        if m.portrait:
            self.body.addLayout(number_box)
            self.body.addLayout(info, 1)
        else:
            columns = QHBoxLayout()
            columns.setSpacing(m.px(40))
            number_box.addStretch(1)
            columns.addLayout(number_box, 1)
            columns.addLayout(info, 1)
            self.body.addLayout(columns, 1)

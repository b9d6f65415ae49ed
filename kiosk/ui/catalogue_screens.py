"""Looking up procedures: search as you type, browse by field, and the detail page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.catalogue import Hit
from kiosk.procedures import Procedure
from kiosk.ui.base import KioskContext, Screen
from kiosk.ui.widgets import ChoiceButton, Keyboard, QrCode, ScrollPanel, button, label
from kiosk.vn_input import TextBuffer
from motcua.i18n import t
from motcua.text import fold

MAX_RESULTS = 30


def hit_button(ctx: KioskContext, hit: Hit) -> ChoiceButton:
    choice = ChoiceButton(hit.name, f"{hit.field} · {hit.code}", None, ctx.m.px(120))
    choice.clicked.connect(lambda _=False, code=hit.code: ctx.go("procedure", code=code))
    return choice


class SearchScreen(Screen):
    name = "search"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        m = ctx.m
        self.buffer = TextBuffer(max_len=60)
        self.hits: list[Hit] = []
        self.title(t("kiosk.search_title"))
        self.line = QLineEdit()
        self.line.setPlaceholderText(t("kiosk.search_placeholder"))
        self.line.setMinimumHeight(m.px(100))
        self.line.textEdited.connect(self._edited)
        hint_row = QHBoxLayout()
        hint_row.addWidget(label(t("kiosk.search_hint"), "Hint"), 1)
        self.browse = button(t("kiosk.search_browse"), None, m.px(96))
        self.browse.clicked.connect(lambda: ctx.go("browse"))
        hint_row.addWidget(self.browse)
        self.count = label("", "Hint")
        self.panel = ScrollPanel(m)
        # one button per possible result, made once: typing only changes their text
        self.results = [ChoiceButton("", "", None, m.px(120)) for _ in range(MAX_RESULTS)]
        for index, result in enumerate(self.results):
            result.hide()
            result.clicked.connect(lambda _=False, k=index: self._open(k))
            self.panel.body.addWidget(result)
        self.panel.body.addStretch(1)
        self.keyboard = Keyboard(m, "text")
        self.keyboard.typed.connect(lambda text: self._apply(self.buffer.insert, text))
        self.keyboard.tone.connect(lambda tone: self._apply(self.buffer.tone, tone))
        self.keyboard.backspace.connect(lambda: self._apply(self.buffer.backspace))
        self.keyboard.cleared.connect(lambda: self._apply(self.buffer.clear))
        left = QVBoxLayout()
        left.setSpacing(m.px(16))
        left.addWidget(self.line)
        left.addLayout(hint_row)
        left.addWidget(self.count)
        left.addWidget(self.panel, 1)
        if m.portrait:
            self.layout_.addLayout(left, 1)
            self.layout_.addWidget(self.keyboard)
        else:
            row = QHBoxLayout()
            row.setSpacing(m.px(30))
            row.addLayout(left, 1)
            row.addWidget(self.keyboard, 1)
            self.layout_.addLayout(row, 1)

    def shot_name(self) -> str:
        return "search-results" if self.hits else "search"

    def _open(self, index: int) -> None:
        if index < len(self.hits):
            self.ctx.go("procedure", code=self.hits[index].code)

    def prepare(self, **kwargs: object) -> None:
        self.buffer.clear()

    def _apply(self, op, *args) -> None:
        op(*args)
        self.refresh()
        self.ctx.changed()

    def _edited(self, text: str) -> None:
        self.buffer.set(text)
        self.refresh()
        self.ctx.changed()

    def set_query(self, text: str) -> None:
        """Type ``text`` as if on the keyboard (used by the guided tour)."""
        self.buffer.set(text)
        self.refresh()
        self.ctx.changed()

    def refresh(self) -> None:
        if self.line.text() != self.buffer.text:
            self.line.setText(self.buffer.text)
        self.hits = self.ctx.catalogue.search(self.buffer.text, MAX_RESULTS) if self.buffer.text.strip() else []
        for index, result in enumerate(self.results):
            if index < len(self.hits):
                hit = self.hits[index]
                result.set_text(hit.name, f"{hit.field} · {hit.code}")
            result.setVisible(index < len(self.hits))
        self.panel.area.verticalScrollBar().setValue(0)
        if not self.buffer.text.strip():
            self.count.setText("")
        elif self.hits:
            self.count.setText(t("kiosk.search_results", count=len(self.hits)))
        else:
            self.count.setText(t("kiosk.search_none"))


class BrowseScreen(Screen):
    name = "browse"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.title(t("kiosk.browse_title"))
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        for entry in ctx.catalogue.fields():
            choice = ChoiceButton(entry.field, t("kiosk.browse_count", count=entry.count), None, ctx.m.px(130))
            choice.clicked.connect(lambda _=False, field=entry.field: ctx.go("procedures", field=field))
            self.panel.body.addWidget(choice)
        self.panel.body.addStretch(1)


class FieldProceduresScreen(Screen):
    name = "procedures"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.heading = label("", "Title")
        self.layout_.addWidget(self.heading)
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        self.field = ""

    def prepare(self, field: str = "", **kwargs: object) -> None:
        self.field = field

    def refresh(self) -> None:
        self.heading.setText(self.field)
        self.panel.reset()
        for hit in self.ctx.catalogue.in_field(self.field):
            self.panel.body.addWidget(hit_button(self.ctx, hit))
        self.panel.body.addStretch(1)


class ProcedureScreen(Screen):
    """One procedure in large type: time and fee first, then what to bring, then the rest."""

    name = "procedure"

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__(ctx)
        self.panel = ScrollPanel(ctx.m)
        self.layout_.addWidget(self.panel, 1)
        self.procedure: Procedure | None = None
        self.take: object | None = None

    def prepare(self, code: str = "", **kwargs: object) -> None:
        self.procedure = self.ctx.catalogue.get(code)

    def refresh(self) -> None:
        ctx, m, proc = self.ctx, self.ctx.m, self.procedure
        self.panel.reset()
        self.take = None
        if proc is None:
            return
        body = self.panel.body
        body.addWidget(label(proc.name, "Title"))
        meta = [t("kiosk.proc_code", code=proc.code), t("kiosk.proc_field", field=proc.field)]
        if proc.agency:
            meta.append(t("kiosk.proc_agency", agency=proc.agency))
        body.addWidget(label("\n".join(meta), "Hint"))
        facts = QFrame()
        facts.setObjectName("KeyFacts")
        grid = QGridLayout(facts)
        grid.setContentsMargins(m.px(24), m.px(20), m.px(24), m.px(20))
        grid.setVerticalSpacing(m.px(6))
        row = 0
        for caption, value in ((t("kiosk.proc_time"), proc.time), (t("kiosk.proc_fee"), proc.fee)):
            grid.addWidget(label(caption, "FactLabel"), row, 0)
            grid.addWidget(label(value, "FactValue"), row + 1, 0)
            row += 2
        if proc.online:
            grid.addWidget(label(t(f"kiosk.proc_online_{fold(proc.online).replace(' ', '_')}"), "Hint"), row, 0)
        url = ctx.cfg.kiosk.procedure_url.format(code=proc.code)
        qr_box = QVBoxLayout()
        qr_box.addWidget(QrCode(url, m.px(220)))
        caption = label(t("kiosk.proc_qr"), "Small", align=Qt.AlignCenter)
        caption.setMaximumWidth(m.px(260))
        qr_box.addWidget(caption)
        grid.addLayout(qr_box, 0, 1, row + 1, 1)
        grid.setColumnStretch(0, 1)
        body.addWidget(facts)
        field = ctx.services_field_for(proc.field)
        if field is not None:
            self.take = button(t("kiosk.proc_take"), "primary", m.px(120))
            self.take.clicked.connect(lambda: self._take(field))
            body.addWidget(self.take)
        self._section(t("kiosk.proc_documents"),
                      [f"{i}. {doc.name} — {doc.count}" for i, doc in enumerate(proc.documents, 1)])
        self._section(t("kiosk.proc_present"), [f"• {item}" for item in proc.present])
        self._section(t("kiosk.proc_who"), [proc.who] if proc.who else [])
        self._section(t("kiosk.proc_conditions"), [proc.conditions] if proc.conditions else [])
        self._section(t("kiosk.proc_steps"), [f"{i}. {step}" for i, step in enumerate(proc.steps, 1)])
        ways = []
        for way in proc.ways:
            extra = [t("kiosk.proc_way_time", time=way.time)] if way.time else []
            extra += [t("kiosk.proc_way_fee", fee=way.fee)] if way.fee else []
            ways.append(f"• {way.way}" + (f": {'; '.join(extra)}" if extra else ""))
        self._section(t("kiosk.proc_ways"), ways)
        self._section(t("kiosk.proc_result"), [proc.result])
        self._section(t("kiosk.proc_legal"), [f"• {item}" for item in proc.legal_basis], "Legal")
        body.addStretch(1)

    def _section(self, heading: str, lines: list[str], style: str = "Body") -> None:
        if not lines:
            return
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.ctx.m.px(8))
        layout.addWidget(label(heading, "Section"))
        for line in lines:
            layout.addWidget(label(line, style))
        self.panel.body.addWidget(box)

    def _take(self, field: str) -> None:
        self.ctx.flow.reset()
        self.ctx.flow.choose_field(field)
        self.ctx.go("services")

"""What every screen shares: the context (config, models, navigation) and the ``Screen`` base."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.catalogue import Catalogue
from kiosk.dossiers.lookup import DossierLookup
from kiosk.flow import TakeFlow
from kiosk.services import ServiceBoard
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import label
from motcua.clock import Clock
from motcua.config import OfficeConfig

if TYPE_CHECKING:
    from kiosk.scanner import ReceiptScanner


class Poster(QObject):
    """Runs callables on the UI thread, whatever thread posts them."""

    _call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._call.connect(self._run, Qt.QueuedConnection)

    def post(self, fn: Callable[[], None]) -> None:
        self._call.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


@dataclass
class KioskContext:
    """Everything a screen needs; ``go``/``back``/``home`` are set by the window."""

    cfg: OfficeConfig
    kiosk_id: str
    m: Metrics
    clock: Clock
    board: ServiceBoard
    catalogue: Catalogue
    lookup: DossierLookup
    poster: Poster
    workers: ThreadPoolExecutor
    flow: TakeFlow | None = None
    scanner: "ReceiptScanner | None" = None
    status: dict[str, bool] = field(default_factory=lambda: {"printer_ok": True, "connected": True})
    go: Callable[..., None] = lambda *a, **k: None
    back: Callable[[], None] = lambda: None
    home: Callable[[], None] = lambda: None
    changed: Callable[[], None] = lambda: None  # the current screen's look changed (screenshots)

    def services_field_for(self, procedure_field: str) -> str | None:
        """The queue field matching a procedure's field, if the office has a service for it."""
        return next((s.field for s in self.cfg.services if s.field == procedure_field), None)


class Screen(QWidget):
    """A page of the kiosk. ``name`` labels screenshots; ``shot_name`` may add the state."""

    name = "screen"
    show_nav = True

    def __init__(self, ctx: KioskContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("Page")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.layout_ = QVBoxLayout(self)
        m = ctx.m
        self.layout_.setContentsMargins(m.px(36), m.px(28), m.px(36), m.px(20))
        self.layout_.setSpacing(m.px(22))

    def title(self, text: str) -> None:
        self.layout_.addWidget(label(text, "Title"))

    def form_and_keys(self, form: QVBoxLayout, keys: QWidget) -> None:
        """The form above the keyboard (portrait) or beside it (landscape)."""
        if self.ctx.m.portrait:
            self.layout_.addLayout(form, 1)
            self.layout_.addWidget(keys)
        else:
            row = QHBoxLayout()
            row.setSpacing(self.ctx.m.px(36))
            row.addLayout(form, 1)
            row.addWidget(keys, 1)
            self.layout_.addLayout(row, 1)

    def shot_name(self) -> str:
        return self.name

    def prepare(self, **kwargs: object) -> None:
        """Set what to show before the screen is entered (parameters of ``ctx.go``)."""

    def entered(self) -> None:
        self.refresh()

    def left(self) -> None:
        """The screen is no longer shown."""

    def refresh(self) -> None:
        """Render the model again."""

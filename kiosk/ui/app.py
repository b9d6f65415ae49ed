"""The kiosk put together: config, bus, models, window and screens, scanner and screenshots."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from display.qt.fullscreen import show_full_screen
from kiosk.catalogue import Catalogue
from kiosk.dossiers.lookup import DossierLookup
from kiosk.dossiers.sources import open_source
from kiosk.flow import TakeFlow
from kiosk.procedures import DEFAULT_DIR
from kiosk.scanner import ReceiptScanner, camera_source
from kiosk.services import ServiceBoard
from kiosk.ui.base import KioskContext, Poster
from kiosk.ui.catalogue_screens import (
    BrowseScreen,
    FieldProceduresScreen,
    ProcedureScreen,
    SearchScreen,
)
from kiosk.ui.dossier_screens import DossierResultScreen, DossierScreen, FactorScreen
from kiosk.ui.pin import PinScreen
from kiosk.ui.take_screens import (
    FieldsScreen,
    HomeScreen,
    PriorityScreen,
    ServicesScreen,
    TicketScreen,
)
from kiosk.ui.theme import FONT_FAMILIES, metrics_for, stylesheet
from kiosk.ui.window import KioskWindow, ScreenRecorder
from motcua.bus import BusClient, json_handler
from motcua.clock import Clock
from motcua.config import OfficeConfig
from motcua.i18n import t
from motcua.runtime import bus_for, office_clock

log = logging.getLogger("motcua.kiosk")


class KioskApp:
    """One kiosk device of the office. ``start()`` connects and shows it; ``stop()`` releases
    the camera, the workers and the broker connection."""

    def __init__(self, cfg: OfficeConfig, kiosk_id: str | None = None, *, bus: BusClient | None = None,
                 clock: Clock | None = None, screenshots: Path | None = None, fullscreen: bool = False,
                 take_timeout_s: float = 10.0, retry_every_s: float = 2.0,
                 catalogue: Catalogue | None = None, procedures_dir: Path = DEFAULT_DIR) -> None:
        if not cfg.devices.kiosks:
            raise ValueError("the config has no kiosk under devices.kiosks")
        self.cfg = cfg
        self.device = cfg.kiosk_device(kiosk_id) if kiosk_id else cfg.devices.kiosks[0]
        self.clock = clock or office_clock(cfg)
        self.bus = bus or bus_for(cfg, "kiosk", device_id=self.device.id, kind="kiosk", clock=self.clock)
        self.take_timeout_s, self.retry_every_s = take_timeout_s, retry_every_s
        self.fullscreen = fullscreen
        qt_app = QApplication.instance()
        size = None
        if fullscreen and qt_app.primaryScreen() is not None:
            geometry = qt_app.primaryScreen().geometry()
            size = (geometry.width(), geometry.height())
        self.m = metrics_for(self.device.orientation, size)
        font = QFont()
        font.setFamilies(FONT_FAMILIES)
        qt_app.setFont(font)
        qt_app.setStyleSheet(stylesheet(self.m))
        self.poster = Poster()
        self.workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kiosk-lookup")
        default_place = cfg.dossiers.collect_place or t("kiosk.dossier_default_place", office=cfg.office.name)
        self.ctx = KioskContext(
            cfg=cfg, kiosk_id=self.device.id, m=self.m, clock=self.clock, board=ServiceBoard(cfg),
            catalogue=catalogue or Catalogue.from_folder(procedures_dir),
            lookup=DossierLookup(open_source(cfg, f"kiosk-{self.device.id}"), self.clock,
                                 cfg.kiosk.dossier_second_factor, default_place),
            poster=self.poster, workers=self.workers,
        )
        self.window = KioskWindow(self.ctx, cfg.kiosk.idle_s)
        self.ctx.flow = TakeFlow(self.device.id, cfg.office.id, cfg.kiosk.ticket_url, send=self._send,
                                 post=self.poster.post, connected=self.bus.connected.is_set,
                                 on_change=self.window.refresh_current)
        for screen in (HomeScreen(self.ctx), FieldsScreen(self.ctx), ServicesScreen(self.ctx),
                       PriorityScreen(self.ctx), TicketScreen(self.ctx), SearchScreen(self.ctx),
                       BrowseScreen(self.ctx), FieldProceduresScreen(self.ctx), ProcedureScreen(self.ctx),
                       DossierScreen(self.ctx), FactorScreen(self.ctx), DossierResultScreen(self.ctx),
                       PinScreen(self.ctx, self.window.unlock_and_close)):
            self.window.add(screen)
        self.window.header.long_pressed.connect(lambda: self.window.go("pin"))
        if self.device.camera is not None:
            base = cfg.source.parent if cfg.source is not None else Path.cwd()
            dossier = self.window.screens["dossier"]
            self.ctx.scanner = ReceiptScanner(
                camera_source(self.device.camera, base),
                on_code=lambda code: self.poster.post(lambda: dossier.scanned(code)),
                on_error=lambda detail: self.poster.post(lambda: self._camera_failed(detail)),
            )
        self.recorder = ScreenRecorder(self.window, screenshots) if screenshots else None
        self.bus.subscribe(self.bus.topics.service_state("+"), json_handler(self._service_state))
        if self.device.printer:
            self.bus.subscribe(self.bus.topics.device_status(self.device.printer),
                               json_handler(self._printer_status))
        self.link_timer = QTimer(interval=1000)
        self.link_timer.timeout.connect(self._check_link)

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self, wait: float | None = 5.0) -> "KioskApp":
        self.bus.start(wait=wait)
        if self.fullscreen:
            self.window.setWindowFlags(Qt.FramelessWindowHint | Qt.WindowStaysOnTopHint)
            QApplication.setOverrideCursor(Qt.BlankCursor)
            show_full_screen(self.window)
        else:
            self.window.resize(self.m.width, self.m.height)
            self.window.show()
        self.window.home()
        self.link_timer.start()
        log.info("kiosk %s on screen (%s, %dx%d)", self.device.id, self.device.orientation, self.m.width, self.m.height)
        return self

    def stop(self) -> None:
        self.link_timer.stop()
        if self.ctx.scanner is not None:
            self.ctx.scanner.stop()
        self.workers.shutdown(wait=False, cancel_futures=True)
        self.bus.stop()

    # ---- bus ------------------------------------------------------------------------------
    def _send(self, payload: dict) -> Future:
        topic = self.bus.topics.take(self.device.id)
        return self.bus.request_async(topic, payload, timeout=self.take_timeout_s, retry_every=self.retry_every_s)

    def _service_state(self, state: dict) -> None:
        self.poster.post(lambda: self._apply_service_state(state))

    def _apply_service_state(self, state: dict) -> None:
        if self.ctx.board.update(state) and self.window.current is not None and \
                self.window.current.name in ("fields", "services"):
            self.window.refresh_current()

    def _printer_status(self, status: dict) -> None:
        usable = status.get("state") == "online" or status.get("detail") == "paper_low"
        self.poster.post(lambda: self._set_status("printer_ok", usable))

    def _check_link(self) -> None:
        self._set_status("connected", self.bus.connected.is_set())

    def _set_status(self, key: str, value: bool) -> None:
        if self.ctx.status.get(key) == value:
            return
        self.ctx.status[key] = value
        if self.window.current is not None and self.window.current.name == "home":
            self.window.refresh_current()

    def _camera_failed(self, detail: str) -> None:
        log.warning("receipt scanner: %s", detail)
        self.bus.set_status("degraded", "camera_offline")
        self.window.screens["dossier"].camera_failed(detail)

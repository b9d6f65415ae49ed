"""``motcua display announcer``: speaks every ``call`` event (recalls too), one at a time, in order.

The bus handler only validates the event and queues it on the ``Announcer`` (one worker thread),
so a slow voice never holds up the network thread and two calls in the same millisecond are both
spoken, in arrival order. With no sound card the calls become WAV files in
``announcer.wav_dir`` (default ``{data_dir}/announcer``). Device status ``announcer``: online, or
degraded with ``playback_failed`` / ``no_sound_card`` (``output: auto`` fell back to files).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from display.voice import Announcer, resolve_output
from motcua.bus import BusClient, Incoming, PayloadError
from motcua.bus.models import CallEvent
from motcua.config import OfficeConfig
from motcua.config.schema import AnnouncerConfig

log = logging.getLogger(__name__)

DEVICE_ID = "announcer"


def announcer_config(cfg: OfficeConfig) -> AnnouncerConfig:
    """The announcer section with its WAV folder made explicit (``{data_dir}/announcer`` by default)."""
    wav_dir = cfg.announcer.wav_dir or Path(cfg.storage.data_dir) / "announcer"
    return cfg.announcer.model_copy(update={"wav_dir": wav_dir})


class AnnouncerService:
    """Queues every call heard on ``bus`` for the voice; reports the device status on ``bus``."""

    def __init__(self, cfg: OfficeConfig, bus: BusClient) -> None:
        self.bus = bus
        self.config = announcer_config(cfg)
        self.output = resolve_output(self.config)
        self.no_sound_card = self.config.output == "auto" and self.output == "wav"
        if self.no_sound_card:
            log.warning("no sound card: calls are written as WAV files into %s", self.config.wav_dir)
            bus.set_status("degraded", "no_sound_card")
        self.announcer = Announcer(self.config, on_status=self._on_status)
        bus.subscribe(bus.topics.call(), self._on_call)

    def _on_call(self, msg: Incoming) -> None:
        try:
            event = CallEvent.model_validate(msg.json())
        except (PayloadError, ValidationError) as exc:
            log.warning("ignoring a malformed call event: %s", exc)
            return
        log.info("call %s to counter %s%s", event.number, event.counter, " (recall)" if event.recall else "")
        self.announcer.announce(event.model_dump())

    def _on_status(self, state: str, detail: str) -> None:
        if state == "online" and self.no_sound_card:
            state, detail = "degraded", "no_sound_card"
        self.bus.set_status(state, detail or None)

    def stop(self, timeout: float = 15.0) -> None:
        """Speak what is already queued (up to ``timeout``), then stop."""
        self.announcer.stop(timeout)

"""Speaking a call: prerecorded clips or espeak-ng, played with ``aplay`` or written as WAV files.

Audio is handled as mono 16-bit samples at ``RATE`` Hz (espeak-ng's own rate); clips in another
format (stereo, 8/24/32-bit, 44.1 kHz...) are converted when read, so an office can drop in its
own recordings. The chime is a generated two-tone "ding-dong" unless the clip set has
``chime.wav``.

Output (``cfg.output``): ``aplay`` plays on the sound device; ``wav`` writes
``{seq:05d}-{number}-q{counter}.wav`` files into ``wav_dir`` (the fake speaker for tests and
boxes without sound); ``auto`` plays when ``aplay -l`` lists a card, else writes files.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from display.announcement import CHIME, PAUSE, announcement_text, announcement_tokens
from motcua.config.schema import AnnouncerConfig
from motcua.text import nfc

log = logging.getLogger(__name__)

RATE = 22050
PAUSE_S = 0.6
ESPEAK_TIMEOUT_S = 30.0


class MissingClip(LookupError):
    """The clip set has no file for a token."""


class VoiceError(RuntimeError):
    """Speech could not be rendered or played."""


# --- samples -----------------------------------------------------------------------------------

def read_wav(path: Path) -> np.ndarray:
    """A WAV file as mono int16 samples at ``RATE`` (any channel count, 8/16/24/32-bit, any rate)."""
    with wave.open(str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 3:
        bytes3 = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        ints = (bytes3[:, 0].astype(np.int32) | bytes3[:, 1].astype(np.int32) << 8
                | bytes3[:, 2].astype(np.int8).astype(np.int32) << 16)
        data = ints / float(1 << 23)
    elif width in (2, 4):
        dtype = np.int16 if width == 2 else np.int32
        data = np.frombuffer(raw, dtype).astype(np.float64) / float(1 << (8 * width - 1))
    else:
        raise VoiceError(f"{path}: unsupported sample width {width}")
    mono = data.reshape(-1, channels).mean(axis=1)
    if rate != RATE and len(mono):
        count = max(1, round(len(mono) * RATE / rate))
        mono = np.interp(np.arange(count) * (rate / RATE), np.arange(len(mono)), mono)
    return np.clip(np.round(mono * 32768.0), -32768, 32767).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """Write mono int16 ``samples`` at ``RATE`` to ``path``."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(np.asarray(samples, np.int16).tobytes())
    return path


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), np.int16)


def chime() -> np.ndarray:
    """A soft two-tone chime (E6 then C6, each 0.45 s with an exponential decay), ~0.9 s."""
    parts = []
    for freq in (1318.5, 1046.5):
        t = np.arange(round(0.45 * RATE)) / RATE
        tone = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(4 * np.pi * freq * t)
        envelope = np.exp(-t * 6.0) * np.minimum(1.0, t / 0.005)
        parts.append(tone * envelope * 0.45)
    return np.round(np.concatenate(parts) * 32767).astype(np.int16)


# --- rendering ---------------------------------------------------------------------------------

def render_clips(tokens: list[str], clips_dir: Path) -> np.ndarray:
    """Concatenate ``{token}.wav`` clips; ``chime`` and ``pause`` are generated when absent."""
    pieces = []
    for token in tokens:
        path = Path(clips_dir) / f"{token}.wav"
        if path.is_file():
            pieces.append(read_wav(path))
        elif token == CHIME:
            pieces.append(chime())
        elif token == PAUSE:
            pieces.append(silence(PAUSE_S))
        else:
            raise MissingClip(token)
    return np.concatenate(pieces) if pieces else silence(0)


def render_espeak(text: str, voice: str = "vi") -> np.ndarray:
    """``text`` (normalised to NFC: espeak-ng misreads NFD) spoken by espeak-ng as samples."""
    with tempfile.TemporaryDirectory(prefix="motcua-espeak-") as tmp:
        out = Path(tmp) / "speech.wav"
        try:
            subprocess.run(
                ["espeak-ng", "-v", voice, "-b", "1", "-w", str(out)],
                input=nfc(text).encode("utf-8"), capture_output=True, check=True,
                timeout=ESPEAK_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceError(f"espeak-ng failed: {exc}") from exc
        return read_wav(out)


def render(text: str, tokens: list[str], cfg: AnnouncerConfig) -> np.ndarray:
    """The announcement audio: clips when a clip set is configured and complete, else espeak-ng
    (chime first when on, the sentence ``repeat`` times with pauses between)."""
    if cfg.clips_dir is not None:
        try:
            return render_clips(tokens, cfg.clips_dir)
        except MissingClip as exc:
            log.warning("clip %s.wav missing in %s; using espeak-ng", exc.args[0], cfg.clips_dir)
    speech = render_espeak(text, cfg.voice)
    pieces = [chime()] if cfg.chime else []
    for i in range(cfg.repeat):
        if i:
            pieces.append(silence(PAUSE_S))
        pieces.append(speech)
    return np.concatenate(pieces)


# --- output ------------------------------------------------------------------------------------

def has_sound_card() -> bool:
    """True when ``aplay -l`` lists a card (it exits 0 with none, so read what it prints)."""
    try:
        result = subprocess.run(["aplay", "-l"], check=False, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return any(line.startswith("card ") for line in result.stdout.splitlines())


def resolve_output(cfg: AnnouncerConfig) -> str:
    """``aplay`` or ``wav`` for the configured output."""
    if cfg.output == "auto":
        return "aplay" if has_sound_card() else "wav"
    return cfg.output


def wav_dir(cfg: AnnouncerConfig) -> Path:
    """Where WAV output goes: ``cfg.wav_dir``, else ``$MOTCUA_DATA_DIR/announcements``."""
    if cfg.wav_dir is not None:
        return Path(cfg.wav_dir)
    data_dir = os.environ.get("MOTCUA_DATA_DIR")
    if not data_dir:
        raise VoiceError("WAV output needs announcer.wav_dir or MOTCUA_DATA_DIR")
    return Path(data_dir) / "announcements"


def play(samples: np.ndarray) -> None:
    """Play on the default sound device with ``aplay`` (blocks until the sound ends)."""
    with tempfile.TemporaryDirectory(prefix="motcua-play-") as tmp:
        path = write_wav(Path(tmp) / "call.wav", samples)
        timeout = len(samples) / RATE + 30.0
        try:
            subprocess.run(["aplay", "-q", str(path)], capture_output=True, check=True, timeout=timeout)
        except subprocess.CalledProcessError as exc:
            detail = exc.stderr.decode("utf-8", "replace").strip()
            raise VoiceError(f"aplay failed: {detail}") from exc
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceError(f"aplay failed: {exc}") from exc


def speak(text: str, tokens: list[str], cfg: AnnouncerConfig, *, wav_name: str = "call.wav") -> Path | None:
    """Render and output one announcement; the WAV path when written to files, None when played."""
    samples = render(text, tokens, cfg)
    if resolve_output(cfg) == "aplay":
        play(samples)
        return None
    folder = wav_dir(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    partial = write_wav(folder / f".{wav_name}.part", samples)
    return partial.replace(folder / wav_name)  # whole files only: a watcher never sees half a call


# --- the announcer -----------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_SEQ = re.compile(r"^(\d{5,})-")


def wav_file_name(seq: int, number: str, counter: str) -> str:
    """``00007-A012-q3.wav`` (characters unsafe in a file name replaced by ``_``)."""
    return f"{seq:05d}-{_UNSAFE.sub('_', number)}-q{_UNSAFE.sub('_', counter)}.wav"


def _last_seq(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    seqs = [int(m.group(1)) for p in folder.iterdir() if (m := _SEQ.match(p.name))]
    return max(seqs, default=0)


class Announcer:
    """Speaks calls one at a time, in arrival order, none dropped (a recall is spoken again).

    ``announce(call)`` takes a ``call`` event payload (``number``, ``counter``...) and returns at
    once; one worker thread speaks. ``on_status(state, detail)`` hears ``online`` after a call was
    spoken and ``degraded`` with a reason after a failure (reported on changes only).
    """

    def __init__(self, cfg: AnnouncerConfig, on_status: Callable[[str, str], None] | None = None) -> None:
        self._cfg = cfg
        self._on_status = on_status
        self._state: tuple[str, str] | None = None
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._seq = _last_seq(wav_dir(cfg)) if resolve_output(cfg) == "wav" else 0
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def announce(self, call: Mapping[str, Any]) -> None:
        """Queue a call to be spoken."""
        self._queue.put(dict(call))

    def join(self) -> None:
        """Wait until every queued call has been spoken."""
        self._queue.join()

    def stop(self, timeout: float | None = None) -> None:
        """Finish the queued calls, then end the worker."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            call = self._queue.get()
            try:
                if call is None:
                    return
                self._speak(call)
            finally:
                self._queue.task_done()

    def _speak(self, call: dict[str, Any]) -> None:
        number, counter = str(call.get("number", "")), str(call.get("counter", ""))
        self._seq += 1
        try:
            text = announcement_text(number, counter, self._cfg)
            tokens = announcement_tokens(number, counter, self._cfg)
            speak(text, tokens, self._cfg, wav_name=wav_file_name(self._seq, number, counter))
        except ValueError as exc:
            log.error("cannot announce %r at counter %r: %s", number, counter, exc)
        except Exception as exc:  # noqa: BLE001 - the worker must survive to speak the next call
            log.error("announcement of %s at counter %s failed: %s", number, counter, exc)
            self._report("degraded", "playback_failed")
        else:
            log.info("announced %s at counter %s", number, counter)
            self._report("online", "")

    def _report(self, state: str, detail: str) -> None:
        if self._on_status is not None and self._state != (state, detail):
            self._state = (state, detail)
            self._on_status(state, detail)

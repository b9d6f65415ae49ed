"""The capture printer: a real backend that files every job's exact bytes and plays faults.

Each job lands in ``capture_dir/job-NNNNNN.bin`` (written to a temporary name, then linked in, so
a reader never sees half a job and two writers never share a number). ``capture_dir/state``
holds the simulated printer state (missing = online): ``offline`` refuses connections,
``paper_out``/``cover_open``/``paper_low`` answer DLE EOT as such a printer does, ``hang``
accepts the connection and never reads (sends block until the timeout, queries get silence).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from pathlib import Path
from typing import Any

from ticketd.printing.connections import ConnectionFailed, SendTimeout, StatusConnection
from ticketd.printing.status import printer_reply

CAPTURE_STATES = ("online", "offline", "paper_out", "cover_open", "paper_low", "hang")
STATE_FILE = "state"
_JOB_NAME = re.compile(r"^job-(\d{6,})\.bin$")


def set_capture_state(capture_dir: str | os.PathLike[str], state: str) -> None:
    """Put the capture printer in ``capture_dir`` into ``state`` (one of ``CAPTURE_STATES``)."""
    if state not in CAPTURE_STATES:
        raise ValueError(f"unknown capture state {state!r}; known: {', '.join(CAPTURE_STATES)}")
    folder = Path(capture_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{STATE_FILE}.{uuid.uuid4().hex}"
    tmp.write_text(state + "\n", encoding="utf-8")
    tmp.replace(folder / STATE_FILE)


def read_capture_state(capture_dir: str | os.PathLike[str]) -> str:
    """The simulated state in ``capture_dir`` (``online`` when no state file exists)."""
    try:
        state = (Path(capture_dir) / STATE_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "online"
    if state not in CAPTURE_STATES:
        raise ConnectionFailed(f"capture state file holds {state!r}, not one of {CAPTURE_STATES}")
    return state


def job_files(capture_dir: str | os.PathLike[str]) -> list[Path]:
    """The captured jobs in ``capture_dir``, oldest first."""
    folder = Path(capture_dir)
    if not folder.is_dir():
        return []
    jobs = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _JOB_NAME.match(p.name))]
    return [p for _, p in sorted(jobs)]


class CaptureConnection(StatusConnection):
    """A printer simulated in a folder; jobs and faults are real files."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self.folder = Path(cfg.capture_dir)
        self._closed = threading.Event()

    def _state(self) -> str:
        state = read_capture_state(self.folder)
        if state == "offline":
            raise ConnectionFailed(f"capture printer {self.folder} is offline")
        return state

    def open(self) -> None:
        self._state()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._closed.clear()

    def close(self) -> None:
        self._closed.set()

    def send(self, data: bytes) -> None:
        if self._state() == "hang":
            self._closed.wait(self.cfg.timeout_s)
            raise SendTimeout(f"printer took no data for {self.cfg.timeout_s} s")
        self._write_job(data)

    def query(self, request: bytes, timeout: float) -> int | None:
        state = self._state()
        if state == "hang":
            self._closed.wait(timeout)
            return None
        return printer_reply(state, request[-1])

    def _write_job(self, data: bytes) -> Path:
        tmp = self.folder / f".job-{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            existing = job_files(self.folder)
            number = int(_JOB_NAME.match(existing[-1].name).group(1)) + 1 if existing else 1
            while True:
                target = self.folder / f"job-{number:06d}.bin"
                try:
                    os.link(tmp, target)
                    return target
                except FileExistsError:
                    number += 1
        finally:
            tmp.unlink()

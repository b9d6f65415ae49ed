"""One thread and one job queue per printer, so that jobs never interleave on a printer and a
hung printer never holds up another printer or the caller.

``submit`` returns at once with a ``Future[PrintOutcome]``. Before a job the worker reads the
printer's status where the connection can answer and refuses the job (without sending it) when
the printer reports paper out, cover open or offline; after it, status changes go to
``on_status(device_id, state, detail)``. A failed connection is dropped and made again for the
next job.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from PIL import Image

from motcua.i18n import t
from ticketd.printing.connections import (
    Connection,
    ConnectionFailed,
    SendTimeout,
    create_connection,
)
from ticketd.printing.escpos_job import paper_width_dots, ticket_job_bytes
from ticketd.printing.status import OFFLINE, UNKNOWN, PrinterStatus, read_status

log = logging.getLogger(__name__)

StatusCallback = Callable[[str, str, str | None], None]
ERROR_CODES = ("offline", "paper_out", "cover_open", "timeout")
TIMED_OUT = PrinterStatus("offline", "timeout")
_STOP = object()


@dataclass(frozen=True)
class PrintOutcome:
    """Whether the printer took the job; if not, a contract error code and a message for people."""

    printed: bool
    error_code: str | None = None
    message: str | None = None

    @classmethod
    def failed(cls, code: str) -> PrintOutcome:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown print error code {code!r}")
        return cls(False, code, t(f"printing.error_{code}"))


class PrinterWorker:
    """The only sender to one printer (config ``cfg``, a ``PrinterDevice``)."""

    def __init__(self, cfg: Any, on_status: StatusCallback) -> None:
        self.cfg = cfg
        self.device_id: str = cfg.id
        self.width_dots = paper_width_dots(cfg.paper_width_mm, cfg.profile)
        self._on_status = on_status
        # A printer answers DLE EOT within milliseconds; this only bounds silence.
        self._status_timeout = min(0.5, cfg.timeout_s)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._accepting = False
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._status: PrinterStatus | None = None

    @property
    def status(self) -> PrinterStatus | None:
        """The last status reported (None before the first probe finishes)."""
        return self._status

    def start(self) -> None:
        """Start the thread; it first probes the printer and reports its status."""
        if self._thread is not None:
            raise RuntimeError(f"printer worker {self.device_id} already started")
        self._accepting = True
        self._thread = threading.Thread(
            target=self._run, name=f"printer-{self.device_id}", daemon=True
        )
        self._thread.start()
        self.probe()

    def request_stop(self) -> None:
        """Refuse new jobs; queued jobs still run, then the thread ends."""
        with self._lock:
            if self._accepting:
                self._accepting = False
                self._queue.put(_STOP)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; False if it is still busy after ``timeout`` seconds."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop after the queued jobs (waits at most ``timeout``; default: a hung send and more)."""
        self.request_stop()
        return self.join(self.cfg.timeout_s * 2 + 5 if timeout is None else timeout)

    def submit(self, job: Image.Image | bytes) -> Future[PrintOutcome]:
        """Queue a ticket image (encoded here for this paper) or ready ESC/POS bytes."""
        return self._enqueue(self._print, job)

    def probe(self) -> Future[PrinterStatus]:
        """Queue a status check; the result is also reported through ``on_status``."""
        return self._enqueue(self._probe, None)

    def _enqueue(self, action: Callable[[Any], Any], arg: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if not self._accepting:
                raise RuntimeError(f"printer worker {self.device_id} is not running")
            self._queue.put((action, arg, future))
        return future

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            action, arg, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                action(arg, future)
            except Exception as exc:  # a bug must fail one job, not the printer
                log.exception("printer %s: job failed", self.device_id)
                self._drop()
                if not future.done():
                    future.set_exception(exc)
        self._drop()

    # --- one job ---------------------------------------------------------------------------

    def _print(self, job: Image.Image | bytes, future: Future[PrintOutcome]) -> None:
        if isinstance(job, bytes):
            data = job
        else:
            data = ticket_job_bytes(job, self.width_dots, self.cfg.profile)
        before = UNKNOWN
        try:
            conn = self._connect()
            if self.cfg.status_query:
                before = read_status(conn, self._status_timeout)
                if before.state == "offline":
                    self._report(before)
                    self._release()
                    future.set_result(PrintOutcome.failed(before.detail or "offline"))
                    return
            conn.send(data)
        except SendTimeout as exc:
            self._fail(future, TIMED_OUT, "timeout", exc)
            return
        except ConnectionFailed as exc:
            self._fail(future, OFFLINE, "offline", exc)
            return
        future.set_result(PrintOutcome(printed=True))
        self._report(self._status_after(conn, before))
        self._release()

    def _status_after(self, conn: Connection, before: PrinterStatus) -> PrinterStatus:
        """Status once the job is sent. A printer busy printing may answer late, so it gets the
        full timeout and its silence keeps the status read just before the job; a printer that
        was silent before is not asked again."""
        if before == UNKNOWN:
            return UNKNOWN
        try:
            after = read_status(conn, self.cfg.timeout_s)
        except ConnectionFailed as exc:
            log.warning("printer %s: lost after a job: %s", self.device_id, exc)
            self._drop()
            return OFFLINE
        return before if after == UNKNOWN else after

    def _probe(self, _: None, future: Future[PrinterStatus]) -> None:
        try:
            conn = self._connect()
            status = read_status(conn, self._status_timeout) if self.cfg.status_query else UNKNOWN
        except ConnectionFailed as exc:
            log.warning("printer %s: %s", self.device_id, exc)
            self._drop()
            status = OFFLINE
        self._release()
        self._report(status)
        future.set_result(status)

    def _fail(self, future: Future[PrintOutcome], status: PrinterStatus, code: str,
              exc: Exception) -> None:
        log.warning("printer %s: job not printed (%s): %s", self.device_id, code, exc)
        self._drop()
        self._report(status)
        future.set_result(PrintOutcome.failed(code))

    # --- connection and status ---------------------------------------------------------------

    def _connect(self) -> Connection:
        if self._conn is None:
            conn = create_connection(self.cfg)
            conn.open()
            self._conn = conn
        return self._conn

    def _release(self) -> None:
        """Close after the job unless the backend keeps its link open between jobs."""
        if self._conn is not None and not self._conn.keep_open:
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                log.exception("printer %s: close failed", self.device_id)

    def _report(self, status: PrinterStatus) -> None:
        if status == self._status:
            return
        self._status = status
        log.info("printer %s: %s %s", self.device_id, status.state, status.detail or "")
        try:
            self._on_status(self.device_id, status.state, status.detail)
        except Exception:
            log.exception("printer %s: status callback failed", self.device_id)


class PrinterPool:
    """One ``PrinterWorker`` per configured printer, by device id."""

    def __init__(self, configs: Iterable[Any], on_status: StatusCallback) -> None:
        self._workers = {cfg.id: PrinterWorker(cfg, on_status) for cfg in configs}

    def __getitem__(self, device_id: str) -> PrinterWorker:
        return self._workers[device_id]

    def __contains__(self, device_id: object) -> bool:
        return device_id in self._workers

    def __iter__(self):
        return iter(self._workers.values())

    def start(self) -> None:
        for worker in self._workers.values():
            worker.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop every worker at once; True when all have ended."""
        for worker in self._workers.values():
            worker.request_stop()
        return all(
            worker.join(worker.cfg.timeout_s * 2 + 5 if timeout is None else timeout)
            for worker in self._workers.values()
        )

    def submit(self, device_id: str, job: Image.Image | bytes) -> Future[PrintOutcome]:
        """Queue a job on printer ``device_id`` (KeyError if there is no such printer)."""
        return self._workers[device_id].submit(job)

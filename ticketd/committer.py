"""The committer: a thread that makes one batch durable (SQLite's COMMIT and its fsync, during
which the GIL is free) while the worker renders the batch's states.

The hand-off is two locks, not an executor: on the small virtual machines of an office a round
trip through ``ThreadPoolExecutor`` costs ~130 µs of CPU, two locks ~75 µs, once per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Committer:
    """Runs ``commit`` in its own thread: ``begin()`` starts one, ``wait()`` returns when it
    has ended (raising what it raised). One at a time, from one thread."""

    def __init__(self, commit: Callable[[], None]) -> None:
        self._commit = commit
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._error: BaseException | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="ticketd-commit", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self._go.acquire()
            if self._stopping:
                return
            try:
                self._commit()
            except BaseException as exc:  # handed to the waiting worker
                self._error = exc
            self._done.release()

    def begin(self) -> None:
        self._go.release()

    def wait(self) -> None:
        self._done.acquire()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def stop(self) -> None:
        self._stopping = True
        self._go.release()
        self._thread.join(timeout=5)

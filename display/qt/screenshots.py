"""Headless screens: a PNG of the window after every change, so a demo without a TV shows
what the TV would show.

At most one picture per ``min_interval_s`` (changes in between are folded into the next one,
so the last state is always saved); files ``{prefix}-{seq:05d}.png`` plus ``{prefix}-latest.png``;
only the newest ``keep`` numbered files are kept.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

SETTLE_MS = 50  # let pending layout and paint events run before grabbing


def numbered(folder: Path, prefix: str) -> list[Path]:
    """The numbered screenshots of ``prefix`` in ``folder``, oldest first."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{5,}})\.png$")
    found = [(int(m.group(1)), p) for p in folder.glob(f"{prefix}-*.png") if (m := pattern.match(p.name))]
    return [p for _, p in sorted(found)]


def prune(folder: Path, prefix: str, keep: int) -> None:
    """Delete all but the newest ``keep`` numbered screenshots."""
    files = numbered(folder, prefix)
    for path in files[: max(0, len(files) - keep)]:
        path.unlink(missing_ok=True)


class Screenshotter(QObject):
    """Call ``changed()`` after every render; pictures follow, debounced."""

    def __init__(self, widget: QWidget, folder: Path, prefix: str, keep: int = 50,
                 min_interval_s: float = 0.5) -> None:
        super().__init__(widget)
        self.widget, self.folder, self.prefix = widget, Path(folder), prefix
        self.keep, self.min_interval_s = keep, min_interval_s
        self.folder.mkdir(parents=True, exist_ok=True)
        existing = numbered(self.folder, prefix)
        self._seq = int(existing[-1].stem.rsplit("-", 1)[1]) if existing else 0
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.shoot)

    def changed(self) -> None:
        if self._timer.isActive():
            return
        wait_s = 0.0 if self._last is None else self._last + self.min_interval_s - time.monotonic()
        self._timer.start(max(SETTLE_MS, int(wait_s * 1000)))

    def shoot(self) -> Path | None:
        """Save the window now; the path of the numbered PNG (None if saving failed)."""
        self._last = time.monotonic()
        self._seq += 1
        image = self.widget.grab().toImage()
        path = self.folder / f"{self.prefix}-{self._seq:05d}.png"
        partial = self.folder / f".{self.prefix}.partial.png"
        if not image.save(str(partial), "PNG"):
            log.warning("could not write a screenshot into %s", self.folder)
            return None
        partial.replace(path)
        latest = self.folder / f".{self.prefix}-latest.partial.png"
        shutil.copyfile(path, latest)
        latest.replace(self.folder / f"{self.prefix}-latest.png")
        prune(self.folder, self.prefix, self.keep)
        return path

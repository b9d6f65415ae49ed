"""Clean timestamps for a camera's packets: every packet gets a pts and a strictly rising dts.

RTSP sources leave the first packets without pts or dts (before the first RTCP report) and some
cameras repeat or step back a timestamp; a muxer refuses both. Missing values are extrapolated by
one frame duration; a dts that does not rise is nudged to the previous one plus one tick.
"""

from __future__ import annotations


class TimestampFixer:
    def __init__(self, frame_ticks: int) -> None:
        self.frame_ticks = max(1, frame_ticks)
        self.last_pts: int | None = None
        self.last_dts: int | None = None

    def fix(self, pts: int | None, dts: int | None) -> tuple[int, int]:
        if pts is None:
            pts = dts if dts is not None else (0 if self.last_pts is None else self.last_pts + self.frame_ticks)
        if dts is None:
            dts = pts if self.last_dts is None else min(pts, self.last_dts + self.frame_ticks)
        if self.last_dts is not None and dts <= self.last_dts:
            dts = self.last_dts + 1
        pts = max(pts, dts)
        self.last_pts, self.last_dts = pts, dts
        return pts, dts

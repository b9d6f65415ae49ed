"""Capped exponential backoff with full jitter, for camera reconnects and worker restarts."""

from __future__ import annotations

import random


class Backoff:
    """``next()`` gives the wait before the next try; ``reset()`` after a success.

    The n-th wait is drawn uniformly from [base/2 * 2^n, base * 2^n], capped at ``cap``, so many
    cameras that failed together do not all retry in the same instant.
    """

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        if base_s <= 0 or cap_s < base_s:
            raise ValueError("need 0 < base_s <= cap_s")
        self.base_s, self.cap_s = base_s, cap_s
        self.failures = 0
        self._rng = rng or random.Random()

    def next(self) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures, 30))
        self.failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0

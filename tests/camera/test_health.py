"""Picture checks on key-frame thumbnails, and debounced health states."""

import numpy as np
import pytest

from camera_bridge.health import HealthTracker, PictureCheck, raw_state
from camera_bridge.settings import HealthSettings

SETTINGS = HealthSettings(frozen_s=4.0)
RNG = np.random.default_rng(3)


def textured():
    return RNG.integers(0, 255, (54, 96), dtype=np.uint8)


def test_a_changing_picture_is_ok():
    check = PictureCheck(SETTINGS)
    assert [check.observe(textured(), t) for t in range(10)] == ["ok"] * 10


def test_a_black_or_covered_picture_is_black():
    check = PictureCheck(SETTINGS)
    assert check.observe(np.full((54, 96), 16, np.uint8), 0.0) == "black"
    covered = np.full((54, 96), 200, np.uint8) + RNG.integers(0, 3, (54, 96), dtype=np.uint8)
    assert check.observe(covered, 1.0) == "black"


def test_the_same_picture_for_frozen_s_is_frozen_and_recovers():
    check = PictureCheck(SETTINGS)
    still = textured()
    verdicts = [check.observe(still.copy(), t) for t in (0.0, 2.0, 3.9, 4.0, 6.0)]
    assert verdicts == ["ok", "ok", "ok", "frozen", "frozen"]
    assert check.observe(textured(), 7.0) == "ok"


def test_sensor_noise_is_not_frozen():
    check = PictureCheck(SETTINGS)
    still = textured().astype(np.int16)
    for t in range(10):
        noisy = np.clip(still + RNG.integers(-2, 3, still.shape), 0, 255).astype(np.uint8)
        assert check.observe(noisy, float(t)) == "ok"


@pytest.mark.parametrize("worker, picture, since, expected", [
    ("live", "ok", 0.1, "live"), ("live", "black", 0.1, "black"), ("live", "frozen", 0.1, "frozen"),
    ("live", "ok", 6.0, "stalled"),  # says live, but nothing for longer than a read may take
    ("stalled", "ok", 5.0, "stalled"), ("backoff", "ok", 29.0, "stalled"), ("connecting", "ok", 31.0, "offline"),
    ("connecting", "ok", float("inf"), "offline"),
])
def test_raw_state(worker, picture, since, expected):
    assert raw_state(worker, picture, since, offline_after_s=30.0, stall_after_s=5.0) == expected


def test_tracker_publishes_the_first_state_then_only_lasting_changes():
    tracker = HealthTracker(enter_s=3.0, clear_s=5.0)
    assert tracker.update("live", 0.0) == "live"
    # a camera flickering black every other second never changes the published state
    assert [tracker.update("black" if t % 2 else "live", float(t)) for t in range(1, 19)] == [None] * 18
    assert tracker.update("black", 20.0) is None
    assert tracker.update("black", 22.9) is None
    assert tracker.update("black", 23.0) == "black"
    assert tracker.update("live", 24.0) is None  # recovery must hold clear_s
    assert tracker.update("live", 28.9) is None
    assert tracker.update("live", 29.0) == "live"
    assert tracker.published == "live"

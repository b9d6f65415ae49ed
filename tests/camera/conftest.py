"""Fixtures for camera tests: synthetic clips, a test's stack of processes, a bus watcher."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clips import make_clip  # noqa: E402
from harness import OFFICE, Proc, Stack, cmdline, descendants, gst_rtsp_available  # noqa: E402
from office_harness import Watcher, wait_until  # noqa: E402

APT_HINT = ("the fake RTSP camera needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0, "
            "gstreamer1.0-plugins-good and gstreamer1.0-plugins-bad")


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Short 320x240 10 fps clips, key frame every second."""
    if not gst_rtsp_available():
        pytest.fail(APT_HINT)
    folder = tmp_path_factory.mktemp("clips")
    return {
        "short": make_clip(folder / "short.mp4", "moving", frames=100),
        "long": make_clip(folder / "long.mp4", "moving", frames=900),
        "black": make_clip(folder / "black.mp4", "black", frames=300),
        "frozen": make_clip(folder / "frozen.mp4", "frozen", frames=300),
        "hevc": make_clip(folder / "hevc.mp4", "moving", frames=60, codec="hevc"),
    }


@pytest.fixture(autouse=True)
def _stop_processes():
    """No camera, receiver or bridge outlives its test."""
    yield
    Proc.stop_all()


@pytest.fixture
def cam_id(request):
    """A camera id unique to the test, so retained statuses of other tests do not interfere."""
    return "cam-" + request.node.name.replace("test_", "").replace("_", "-")[:40].strip("-[]").lower()


@pytest.fixture
def watcher(broker):
    w = Watcher(broker.url, OFFICE)
    yield w
    w.close()


@pytest.fixture
def stack(tmp_path, broker, request):
    """A receiver and a bridge (started by the test); on teardown, no secret may have leaked."""
    built = Stack(tmp_path, broker.url)
    request.node.camera_stack = built
    yield built
    processes = [p for p in (built.bridge, built.receiver) if p is not None and p.alive()]
    titles = [cmdline(pid) for p in processes for pid in [p.pid, *descendants(p.pid)]]
    built.stop()
    leaked = [text for text in [built.bridge.log() if built.bridge else "", *titles] if "Secret" in text]
    assert not leaked, "a camera password leaked into a log or a process title"


def health_events(watcher: Watcher, camera: str) -> list[dict]:
    return watcher.events(watcher.topics.camera_health(camera))


def wait_health(watcher: Watcher, camera: str, state: str, after: int = 0, timeout: float = 40.0) -> dict:
    """The first health event (from index ``after``) in ``state``; returns it."""
    def found():
        events = health_events(watcher, camera)[after:]
        return next((e for e in events if e.get("state") == state), None)

    try:
        return wait_until(found, timeout=timeout, interval=0.1)
    except AssertionError:
        states = [e.get("state") for e in health_events(watcher, camera)]
        raise AssertionError(f"{camera} never published {state!r}; got {states}") from None


def latest_health(watcher: Watcher, camera: str) -> dict:
    events = health_events(watcher, camera)
    return events[-1] if events else {}

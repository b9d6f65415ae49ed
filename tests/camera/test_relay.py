"""Bridge -> receiver on loopback with a real RTSP camera: every frame arrives, plays, is re-served."""

import av
import pytest
from clips import count_frames
from conftest import latest_health, wait_health
from harness import OFFICE, Camera
from office_harness import wait_until

from motcua.broker import free_port


@pytest.mark.parametrize("clip, frames", [("short", 100), ("hevc", 60)])
def test_received_segments_play_and_have_the_sources_frame_count(clips, stack, watcher, cam_id, clip, frames):
    port = free_port()
    stack.receiver_settings.update(http_port=port, segment_s=3)
    camera = Camera(stack.workdir, clips[clip], codec="hevc" if clip == "hevc" else "h264", once=True).start()
    stack.start_receiver()
    stack.start_bridge({cam_id: camera.url})
    wait_health(watcher, cam_id, "live")
    wait_until(lambda: stack.feed(cam_id).get("packets", 0) >= frames and not camera.alive(), timeout=60)
    stack.stop()  # the receiver closes its last segment

    files = stack.segment_files(cam_id)
    assert len(files) >= 2
    assert count_frames(files) == frames
    feed = stack.feed(cam_id)
    assert feed["frames_written"] == frames and feed["missing"] == 0 and feed["skipped"] == 0

    stack.start_receiver()  # a fresh receiver re-serves what is on disk over HTTP
    url = f"http://127.0.0.1:{port}/{OFFICE}/{cam_id}/index.m3u8"
    with av.open(url, timeout=10) as played:
        assert sum(1 for _ in played.decode(video=0)) == frames


def test_health_reports_rates_and_counters(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    stack.start_receiver()
    stack.start_bridge({cam_id: camera.url})
    wait_health(watcher, cam_id, "live")
    wait_until(lambda: latest_health(watcher, cam_id).get("fps", 0) > 5, timeout=30)
    health = latest_health(watcher, cam_id)
    assert health["codec"] == "h264" and (health["width"], health["height"]) == (320, 240)
    assert health["kbps"] > 0 and health["packets"] > 0 and health["bytes_sent"] > 0
    assert health["dropped_packets"] == 0 and health["uplink"] == "up"
    status = watcher.latest(watcher.topics.device_status(cam_id))
    assert status["state"] == "online" and status["kind"] == "camera"
    assert stack.feed(cam_id)["latency_s"]["p50"] is not None
    assert stack.bridge.stop() == 0 and stack.receiver.stop() == 0  # SIGTERM: a clean stop
    status = watcher.wait_state(watcher.topics.device_status(cam_id), lambda s: s["state"] == "offline")
    assert status["kind"] == "camera"

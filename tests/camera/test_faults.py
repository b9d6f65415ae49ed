"""Every fault heals by itself: the bridge is never restarted by hand in these tests."""

import os
import shutil
import signal
import time

from conftest import health_events, latest_health, wait_health
from harness import BlackHole, Camera, make_keys, worker_pids
from office_harness import wait_until

from motcua.broker import free_port


def packets(stack, cam_id):
    return stack.feed(cam_id).get("packets", 0)


def grows(stack, cam_id, by=20, timeout=40.0):
    """Wait until the receiver got ``by`` more packets of ``cam_id`` than now."""
    start = packets(stack, cam_id)
    wait_until(lambda: packets(stack, cam_id) >= start + by, timeout=timeout, interval=0.1)


def start_live(stack, watcher, cam_id, url):
    stack.start_receiver()
    stack.start_bridge({cam_id: url})
    wait_health(watcher, cam_id, "live")
    grows(stack, cam_id)


def test_camera_killed_then_back(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    start_live(stack, watcher, cam_id, camera.url)
    bridge_pid = stack.bridge.pid
    camera.kill()
    mark = len(health_events(watcher, cam_id))
    wait_health(watcher, cam_id, "stalled", after=mark)
    assert watcher.latest(watcher.topics.device_status(cam_id))["state"] == "degraded"
    Camera(stack.workdir, clips["long"], port=camera.port, name="camera-again").start()
    wait_health(watcher, cam_id, "live", after=mark)
    grows(stack, cam_id)
    assert stack.bridge.pid == bridge_pid and stack.bridge.alive()
    assert stack.feed(cam_id)["sessions"] == 2
    assert latest_health(watcher, cam_id)["reconnects"] >= 1


def test_camera_hung_by_sigstop(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    start_live(stack, watcher, cam_id, camera.url)
    camera.signal(signal.SIGSTOP)
    mark = len(health_events(watcher, cam_id))
    stalled = wait_health(watcher, cam_id, "stalled", after=mark)
    assert stalled["detail"] == "timeout"  # the read timeout fired: no 30-60 s FFmpeg hang
    camera.signal(signal.SIGCONT)
    wait_health(watcher, cam_id, "live", after=mark)
    grows(stack, cam_id)
    assert latest_health(watcher, cam_id)["watchdog_kills"] == 0  # the worker itself recovered


def test_black_hole_address(stack, watcher, cam_id):
    hole = BlackHole()
    try:
        stack.start_receiver()
        stack.start_bridge({cam_id: hole.url})
        offline = wait_health(watcher, cam_id, "offline")
        wait_until(lambda: latest_health(watcher, cam_id).get("reconnects", 0) >= 3, timeout=40)
        health = latest_health(watcher, cam_id)
        assert health["detail"] == "timeout" and health["watchdog_kills"] == 0
        assert offline["fps"] == 0 and stack.bridge.alive()
        assert watcher.latest(watcher.topics.device_status(cam_id))["state"] == "offline"
    finally:
        hole.close()


def test_camera_down_at_start(clips, stack, watcher, cam_id):
    port = free_port()
    waiting = Camera(stack.workdir, clips["long"], port=port)  # not started yet
    stack.start_receiver()
    stack.start_bridge({cam_id: waiting.url})
    offline = wait_health(watcher, cam_id, "offline")
    assert offline["detail"] == "connection_refused"
    time.sleep(2)  # a few failed tries
    waiting.start()
    wait_health(watcher, cam_id, "live")
    grows(stack, cam_id)


def test_receiver_restarted(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    start_live(stack, watcher, cam_id, camera.url)
    stack.receiver.kill()
    wait_until(lambda: latest_health(watcher, cam_id).get("dropped_gops", 0) >= 2, timeout=40)
    assert latest_health(watcher, cam_id)["uplink"] == "down"
    stack.start_receiver()
    wait_until(lambda: latest_health(watcher, cam_id).get("uplink") == "up", timeout=40)
    grows(stack, cam_id)
    health = latest_health(watcher, cam_id)
    assert health["state"] == "live" and health["dropped_packets"] >= 10
    assert stack.feed(cam_id)["skipped"] == 0  # it resumed on a key frame: whole GOPs were dropped


def test_wrong_curve_key_refused_then_admitted_without_restart(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    make_keys(stack.keys, "rogue")  # a key pair the receiver has never seen
    stack.bridge_settings["office_key"] = str(stack.keys / "rogue.key_secret")
    stack.start_receiver()
    stack.start_bridge({cam_id: camera.url})
    wait_until(lambda: stack.stats().get("refused_keys", 0) >= 2, timeout=40)
    wait_until(lambda: latest_health(watcher, cam_id).get("uplink") == "refused", timeout=40)
    assert stack.stats()["cameras"] == {}
    assert latest_health(watcher, cam_id)["state"] == "live"  # the camera is fine; the uplink is not
    # the province adds the office's key to the allow-list: admitted at the next try
    shutil.copy(stack.keys / "rogue.key", stack.allow / "hoa-an.key")
    wait_until(lambda: packets(stack, cam_id) >= 20, timeout=40)
    wait_until(lambda: latest_health(watcher, cam_id).get("uplink") == "up", timeout=20)
    assert stack.feed(cam_id)["skipped"] == 0


def test_hung_worker_is_killed_and_restarted_by_the_watchdog(clips, stack, watcher, cam_id):
    camera = Camera(stack.workdir, clips["long"]).start()
    start_live(stack, watcher, cam_id, camera.url)
    [worker] = worker_pids(stack.bridge.pid)
    os.kill(worker, signal.SIGSTOP)  # hung inside a native call, as far as anyone can tell
    wait_until(lambda: latest_health(watcher, cam_id).get("watchdog_kills", 0) == 1, timeout=40)
    wait_until(lambda: worker_pids(stack.bridge.pid) not in ([], [worker]), timeout=40)
    mark = len(health_events(watcher, cam_id))
    grows(stack, cam_id)
    assert wait_health(watcher, cam_id, "live", after=mark)["restarts"] == 1
    assert stack.feed(cam_id)["sessions"] == 2

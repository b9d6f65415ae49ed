"""Camera credentials never reach a log, an MQTT payload or a process title."""

import json

from conftest import health_events, wait_health
from harness import Camera, cmdline, descendants
from office_harness import wait_until


def test_credentials_stay_secret_even_when_the_camera_refuses_them(clips, stack, watcher, cam_id):
    good = Camera(stack.workdir, clips["long"], name="good").start()
    refusing = Camera(stack.workdir, clips["long"], name="refusing")
    refusing.start()
    wrong_url = refusing.url.replace(refusing.password, "wrong-Secret-9")
    stack.start_receiver()
    stack.start_bridge({f"{cam_id}-ok": good.url, f"{cam_id}-denied": wrong_url})
    wait_health(watcher, f"{cam_id}-ok", "live")
    denied = wait_health(watcher, f"{cam_id}-denied", "offline")
    assert denied["detail"] == "http_unauthorized"
    wait_until(lambda: f"rtsp://127.0.0.1:{refusing.port}/stream" in stack.bridge.log(), timeout=20)

    payloads = json.dumps(watcher.messages)
    titles = " ".join(cmdline(pid) for pid in [stack.bridge.pid, *descendants(stack.bridge.pid)])
    for text in (payloads, stack.bridge.log(), stack.receiver.log(), titles):
        assert "Secret" not in text and "admin:" not in text
    assert health_events(watcher, f"{cam_id}-ok")

"""A black clip, a frozen clip and a moving one, through the bridge: each raises its own state."""

from conftest import health_events, wait_health
from harness import Camera
from office_harness import wait_until
from PIL import Image


def test_black_and_frozen_cameras_raise_their_states(clips, stack, watcher, cam_id, tmp_path):
    previews = tmp_path / "previews"
    stack.bridge_settings["health"].update(preview_dir=str(previews), preview_every_s=1.0, preview_width=160)
    ids = {kind: f"{cam_id}-{kind}" for kind in ("black", "frozen", "moving")}
    cameras = {kind: Camera(stack.workdir, clips["long" if kind == "moving" else kind], name=kind).start()
               for kind in ids}
    stack.start_receiver()
    stack.start_bridge({ids[kind]: cameras[kind].url for kind in ids})

    black = wait_health(watcher, ids["black"], "black")
    frozen = wait_health(watcher, ids["frozen"], "frozen")
    assert black["fps"] > 0 and frozen["fps"] > 0  # video flows; the picture is what is wrong
    for kind in ("black", "frozen"):
        status = watcher.latest(watcher.topics.device_status(ids[kind]))
        assert (status["state"], status["detail"]) == ("degraded", kind)
    wait_until(lambda: (previews / f"{ids['moving']}.jpg").exists(), timeout=20)
    with Image.open(previews / f"{ids['moving']}.jpg") as preview:
        assert preview.format == "JPEG" and preview.size == (160, 120)
    states = {e["state"] for e in health_events(watcher, ids["moving"])}
    assert states == {"live"}  # the moving picture was never taken for black or frozen
    # the frozen camera's first seconds were live: frozen needs frozen_s of the same picture
    assert [e["state"] for e in health_events(watcher, ids["frozen"])][0] == "live"
    assert stack.feed(ids["black"])["packets"] > 0  # a black picture is still relayed

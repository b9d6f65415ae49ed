"""Camera health on MQTT: ``camera/{id}/health`` events and the retained ``device/{id}/status``.

One broker connection per camera, so each camera's last will (``offline``) is its own and the
province sees every camera go offline if the bridge dies. The device status is re-published only
when it changes.
"""

from __future__ import annotations

from camera_bridge.health import DEVICE_STATE
from motcua.bus import BusClient
from motcua.runtime import bus_for


class MqttHealthPublisher:
    """``publisher(camera_id, payload)`` is the supervisor's ``publish`` callable."""

    def __init__(self, cfg, camera_ids: list[str]) -> None:
        self._buses: dict[str, BusClient] = {}
        self._status: dict[str, tuple[str, str | None]] = {}
        for camera_id in camera_ids:
            bus = bus_for(cfg, f"camera-{camera_id}", device_id=camera_id, kind="camera")
            bus.set_status("unknown", "starting")
            self._buses[camera_id] = bus

    def start(self) -> "MqttHealthPublisher":
        for bus in self._buses.values():
            bus.start()
        return self

    def __call__(self, camera_id: str, payload: dict) -> None:
        bus = self._buses[camera_id]
        bus.publish(bus.topics.camera_health(camera_id), payload, qos=1)
        state = payload["state"]
        status = (DEVICE_STATE[state], None if state == "live" else state)
        if self._status.get(camera_id) != status:
            self._status[camera_id] = status
            bus.set_status(*status)

    def stop(self) -> None:
        for bus in self._buses.values():
            bus.stop("offline")

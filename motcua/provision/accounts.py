"""Who may connect to the office broker and what each may do: one account per process or device.

Every account reads its own reply inbox ``client/{username}/#`` (a pattern rule in the ACL) and
ticketd's status, and publishes the retained ``device/{id}/status`` of the devices it runs.
Beyond that:

- ``ticketd`` reads and writes everything under the office root; ``doctor`` reads everything.
- a kiosk (or button box) publishes only its own ``take`` (a kiosk also ``ticket/query``) and
  reads the waiting state, the hall, the statistics and its printer's status;
- a rating pad publishes only its counter's ``rating`` and reads that counter's state and
  ``rate_request``; a counter console (and a keypad) sends its counter's ``cmd``;
- displays, the announcer and LED boards only read.

The username of a configured device is its id; the box's own services have fixed names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from motcua.bus.topics import Topics
from motcua.config import OfficeConfig

SERVICE_USERS = ("ticketd", "doctor", "stats", "camera-bridge", "announcer", "led", "keypads")
# a screen without input draws straight on the DRM/KMS device: no desktop session needed
SCREEN_ENV = (("QT_QPA_PLATFORM", "eglfs"),)


@dataclass(frozen=True)
class Account:
    """One broker user. Topics are absolute filters; ``unit`` is the systemd unit using it."""

    user: str
    role: str
    unit: str | None = None
    args: str = ""
    lan: bool = False
    write: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()  # more variables for its unit

    @property
    def env_name(self) -> str:
        """Name of its credentials file (without ``.env``): the unit's name without
        ``motcua-`` and ``.service`` (``display@hall``), else the username."""
        if self.unit is None:
            return self.user
        return self.unit.removeprefix("motcua-").removesuffix(".service")


def bridge_state_topic(office: str) -> str:
    """Where Mosquitto reports the province link (``1`` up, ``0`` down), retained."""
    return f"motcua-bridge/{office}/state"


def accounts_for(cfg: OfficeConfig) -> list[Account]:
    """Every account the office needs, in a stable order."""
    t = Topics(cfg.office.id)
    devices = cfg.devices
    status = t.device_status
    accounts = [
        Account("ticketd", "ticket daemon", "motcua-ticketd.service", write=(f"{t.root}/#",), read=(f"{t.root}/#",)),
        Account("doctor", "motcua doctor, motcua devices, motcua restore",
                read=(f"{t.root}/#", bridge_state_topic(cfg.office.id))),
        Account("stats", "dossier statistics", "motcua-stats.service",
                write=(t.stats(), status("stats")), read=(t.stats(),)),
        Account("announcer", "announcer (speakers)", "motcua-display@announcer.service", args="announcer",
                write=(status("announcer"),), read=(t.call(), t.counter_state())),
    ]
    if devices.led_boards:
        counters = sorted({b.counter for board in devices.led_boards for b in board.boards})
        accounts.append(Account(
            "led", "LED number boards", "motcua-display@led.service", args="led",
            write=tuple(status(d) for d in ["led", *(b.id for b in devices.led_boards)]),
            read=(t.call(), *(t.counter_state(c) for c in counters))))
    if devices.keypads:
        counters = sorted({k.counter for k in devices.keypads})
        accounts.append(Account(
            "keypads", "serial counter keypads", "motcua-keypads.service",
            write=(*(t.counter_cmd(c) for c in counters), *(status(k.id) for k in devices.keypads)),
            read=tuple(t.counter_state(c) for c in counters)))
    if devices.cameras:
        accounts.append(Account(
            "camera-bridge", "camera bridge", "motcua-camera-bridge.service",
            write=(status("camera-bridge"), *(x for cam in devices.cameras
                                              for x in (t.camera_health(cam.id), status(cam.id))))))
    for kiosk in devices.kiosks:
        printer = (status(kiosk.printer),) if kiosk.printer else ()
        accounts.append(Account(
            kiosk.id, f"kiosk {kiosk.name}", f"motcua-kiosk@{kiosk.id}.service", args=f"--kiosk {kiosk.id}",
            lan=True, write=(t.take(kiosk.id), t.ticket_query(), status(kiosk.id)),
            read=(t.service_state(), t.counter_state(), t.hall(), t.stats(), *printer)))
    for box in devices.button_boxes:
        printer = (status(box.printer),) if box.printer else ()
        accounts.append(Account(
            box.id, "button box", lan=True, write=(t.take(box.id), status(box.id)),
            read=(t.service_state(), *printer)))
    first: dict[str, str] = {}  # the first screen or pad of a kind gets the plain instance name
    for display in devices.displays:
        key = "hall" if display.kind == "hall" else f"counter-{display.counter}"
        instance = key if first.setdefault(key, display.id) == display.id else f"{key}-{display.id}"
        if display.kind == "hall":
            args = f"hall --device-id {display.id}"
            read = (t.counter_state(), t.service_state(), t.hall(), t.stats(), t.call())
        else:
            args = f"counter {display.counter} --device-id {display.id}"
            read = (t.counter_state(display.counter), t.service_state(), t.hall(), t.call())
        accounts.append(Account(display.id, f"{display.kind} display", f"motcua-display@{instance}.service",
                                args=args, lan=True, write=(status(display.id),), read=read, env=SCREEN_ENV))
    for pad in devices.rating_pads:
        instance = pad.counter if first.setdefault(f"pad-{pad.counter}", pad.id) == pad.id else pad.id
        accounts.append(Account(
            pad.id, f"rating pad of counter {pad.counter}", f"motcua-rating-pad@{instance}.service",
            args=pad.counter, lan=True, write=(t.counter_rating(pad.counter), status(pad.id)),
            read=(t.counter_state(pad.counter), t.rate_request(pad.counter))))
    for counter in cfg.counters:
        console = f"console-{counter.id}"
        accounts.append(Account(
            console, f"officer's console of {counter.name}", lan=True,
            write=(t.counter_cmd(counter.id), t.ticket_query(), status(console)),
            read=(t.counter_state(counter.id), t.rate_request(counter.id), t.service_state(), t.hall(), t.call())))
    ticketd_status = status("ticketd")  # every client may tell whether ticketd is there
    accounts = [a if f"{t.root}/#" in a.read else replace(a, read=(*a.read, ticketd_status)) for a in accounts]
    _check_unique(accounts)
    return accounts


def _check_unique(accounts: list[Account]) -> None:
    seen: set[str] = set()
    for account in accounts:
        for name in {account.user, account.env_name}:
            if name in seen:
                raise ValueError(f"two broker accounts would be called {name!r}: rename the device "
                                 f"(names used by the box's services: {', '.join(SERVICE_USERS)})")
            seen.add(name)

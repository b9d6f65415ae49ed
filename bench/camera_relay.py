"""Camera relay bench: CPU per camera, bytes on the uplink, and latency on a link 15 % too thin.

    python bench/camera_relay.py [--seconds 40] [--width 1920 --height 1080 --fps 15 --kbps 3000]

Run 1 (unshaped link): one 1080p camera through bridge -> receiver, and beside it, from the same
clip served by a second fake camera in the same run, ``ffmpeg -c copy`` of the stream, and two
bare packet readers (PyAV, which the bridge uses, and OpenCV's raw mode, which the issue names).
CPU is each process's user+system time over the measured window. Bytes: what crossed the uplink
(IP level where a network namespace with ``tc`` is possible, else TCP payload through a relay)
against the compressed bytes the bridge read. Run 2: the same stream over a link whose capacity is
the stream's bitrate / 1.15; latency (bridge read -> receiver) p95 early and late in the run.
Needs what the camera tests need (GStreamer's RTSP server, ffmpeg); prints a table of ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "camera")]

from clips import make_clip  # noqa: E402
from harness import Camera, Proc, Stack, worker_pids  # noqa: E402
from slowlink import NetnsLink, ProxyLink, netns_possible  # noqa: E402

from motcua.broker import LocalBroker, free_port, mosquitto_binary  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
CAMERA = "bench-1080p"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def read_only(backend: str, url: str, seconds: float) -> None:
    """A bare packet reader (no health, no uplink), for comparing the two readers' CPU."""
    end = time.monotonic() + seconds
    if backend == "pyav":
        import av

        with av.open(url, options={"rtsp_transport": "tcp"}, timeout=(5, 5)) as container:
            for _packet in container.demux(video=0):
                if time.monotonic() > end:
                    return
    else:
        import cv2

        os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = "rtsp_transport;tcp"
        cap = cv2.VideoCapture(url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000,
                                                     cv2.CAP_PROP_READ_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_FORMAT, -1])
        while time.monotonic() < end and cap.read()[0]:
            cap.get(cv2.CAP_PROP_LRF_HAS_KEY_FRAME)


def make_bench_clip(folder: Path, args) -> Path:
    path = folder / f"clip-{args.width}x{args.height}-{args.fps}fps-{args.kbps}k-{args.clip_s}s.mp4"
    if not path.exists():
        print(f"encoding a {args.clip_s} s {args.width}x{args.height} clip (once; kept in {folder}) ...", flush=True)
        make_clip(path, "moving", frames=args.clip_s * args.fps, width=args.width, height=args.height,
                  fps=args.fps, gop=args.fps * 2, bitrate_kbps=args.kbps)
    return path


def clip_kbps(clip: Path) -> float:
    """The clip's own bitrate: compressed bytes over its duration."""
    import av

    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        size = sum(packet.size for packet in container.demux(stream))
        seconds = float(stream.duration * stream.time_base)
    return size * 8 / 1000 / seconds


def uplink(kbps: int, receiver_port: int):
    return NetnsLink(kbps) if netns_possible() else ProxyLink(kbps, receiver_port)


def stack_for(link, workdir: Path, broker_url: str, receiver_port: int, max_delay: float | None = None) -> Stack:
    where = ({"receiver_prefix": link.receiver_prefix, "receiver_host": link.receiver_host}
             if isinstance(link, NetnsLink) else {})
    stack = Stack(workdir, broker_url, prefix=link.prefix, receiver_port=receiver_port,
                  bridge={"open_timeout_s": 5.0, "read_timeout_s": 5.0,
                          "health": {},  # production defaults, not the tests' quick ones
                          **({"max_delay_s": max_delay} if max_delay else {})},
                  receiver={"stats_every_s": 1.0, "segment_s": 10}, **where)
    if isinstance(link, ProxyLink):
        stack.bridge_settings["endpoint"] = f"tcp://127.0.0.1:{link.port}"
    return stack


def wait_packets(stack: Stack, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while stack.feed(CAMERA).get("packets", 0) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"no video reached the receiver:\n{stack.bridge.log()[-2000:]}")
        time.sleep(0.2)


class NamespaceBroker:
    """A private Mosquitto inside the office namespace, where the bridge can reach it."""

    def __init__(self, link: NetnsLink, workdir: Path) -> None:
        port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "mosquitto.conf").write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
        self.url = f"mqtt://127.0.0.1:{port}"
        self.proc = Proc([mosquitto_binary(), "-c", str(workdir / "mosquitto.conf")], workdir / "mosquitto.log",
                         prefix=link.prefix).start()

    def stop(self) -> None:
        self.proc.stop()


def broker_for(link, workdir: Path):
    if isinstance(link, NetnsLink):
        return NamespaceBroker(link, workdir)
    return LocalBroker(workdir=workdir / "broker").start()


def run_cpu(args, clip: Path, workdir: Path) -> dict:
    receiver_port = free_port()
    with uplink(1_000_000, receiver_port) as link:
        broker = broker_for(link, workdir)
        stack = stack_for(link, workdir, broker.url, receiver_port)
        cams = [Camera(workdir, clip, prefix=link.prefix, name=f"cam{i}").start() for i in range(4)]
        others: list[Proc] = []
        try:
            stack.start_receiver()
            stack.start_bridge({CAMERA: cams[0].url}, {CAMERA: {"fps": args.fps, "uplink_kbps": args.kbps * 2}})
            wait_packets(stack, args.fps * 3)
            me = [sys.executable, str(Path(__file__).resolve())]
            others = [
                Proc(["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", cams[1].url,
                      "-c", "copy", "-f", "mpegts", "-y", "/dev/null"], workdir / "ffmpeg.log", prefix=link.prefix),
                Proc(me + ["--read-only", "pyav", cams[2].url, str(args.seconds + 15)], workdir / "pyav.log",
                     prefix=link.prefix),
                Proc(me + ["--read-only", "opencv", cams[3].url, str(args.seconds + 15)], workdir / "opencv.log",
                     prefix=link.prefix),
            ]
            for proc in others:
                proc.start()
            time.sleep(5)  # everyone connected and past start-up
            [worker] = worker_pids(stack.bridge.pid)
            pids = {"worker": worker, "supervisor": stack.bridge.pid, "receiver": stack.receiver.pid,
                    "ffmpeg": others[0].pid, "pyav_read": others[1].pid, "opencv_read": others[2].pid}
            start_cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
            t0 = time.monotonic()
            time.sleep(args.seconds)
            cpu = {name: cpu_seconds(pid) - start_cpu[name] for name, pid in pids.items()}
            wall = time.monotonic() - t0
        finally:
            for proc in [*others, *cams]:
                proc.stop()
            stack.stop()  # the receiver writes its final figures
            broker.stop()
        wire_bytes, wire_packets = link.shaped()  # the whole run, handshakes included
    feed = stack.feed(CAMERA)
    return {"cpu_pct": {k: 100 * v / wall for k, v in cpu.items()}, "wall": wall, "payload": feed["bytes"],
            "wire": wire_bytes, "wire_packets": wire_packets, "frames": feed["packets"],
            "source_kbps": clip_kbps(clip), "netns": isinstance(link, NetnsLink)}


def run_latency(args, clip: Path, workdir: Path, source_kbps: float) -> dict:
    capacity = int(source_kbps / 1.15)
    receiver_port = free_port()
    samples = []
    with uplink(capacity, receiver_port) as link:
        broker = broker_for(link, workdir)
        stack = stack_for(link, workdir, broker.url, receiver_port, args.max_delay)
        camera = Camera(workdir, clip, prefix=link.prefix, name="cam-latency").start()
        try:
            stack.start_receiver()
            stack.start_bridge({CAMERA: camera.url}, {CAMERA: {"fps": args.fps, "uplink_kbps": args.kbps * 2}})
            wait_packets(stack, args.fps)
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.latency_s:
                time.sleep(args.latency_s / 6)
                feed = stack.feed(CAMERA)
                samples.append((round(time.monotonic() - t0), feed["latency_s"]["p95"], feed["missing"],
                                feed["packets"]))
        finally:
            camera.stop()
            stack.stop()
            broker.stop()
    return {"capacity_kbps": capacity, "samples": samples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--read-only", nargs=3, metavar=("BACKEND", "URL", "SECONDS"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=40, help="measured CPU window")
    parser.add_argument("--latency-s", type=int, default=60, help="length of the thin-link run")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--kbps", type=int, default=3000)
    parser.add_argument("--max-delay", type=float, help="the bridge's max_delay_s (default: the setting's)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/motcua-bench-camera"))
    args = parser.parse_args()
    if args.read_only:
        read_only(args.read_only[0], args.read_only[1], float(args.read_only[2]))
        return 0
    args.clip_s = args.seconds + args.latency_s + 40  # every connection plays the clip from its start
    args.workdir.mkdir(parents=True, exist_ok=True)
    clip = make_bench_clip(args.workdir, args)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    cpu = run_cpu(args, clip, args.workdir / f"cpu-{stamp}")
    lat = run_latency(args, clip, args.workdir / f"latency-{stamp}", cpu["source_kbps"])

    pct = cpu["cpu_pct"]
    # below the relay's own framing: Ethernet 14 + IPv4 20 + TCP 20 + timestamps 12 bytes a segment
    transport = cpu["wire_packets"] * 66 if cpu["netns"] else 0
    overhead = 100 * (cpu["wire"] - transport - cpu["payload"]) / cpu["payload"]
    wire_overhead = 100 * (cpu["wire"] - cpu["payload"]) / cpu["payload"]
    ratio = pct["worker"] / pct["ffmpeg"] if pct["ffmpeg"] else float("inf")
    late = [p95 for t, p95, _m, _n in lat["samples"] if t >= args.latency_s / 2 and p95 is not None]
    early = [p95 for t, p95, _m, _n in lat["samples"] if t < args.latency_s / 2 and p95 is not None]
    p95 = max(late) if late else float("inf")
    growth = (max(late) - max(early)) if late and early else float("nan")
    last = lat["samples"][-1]
    rows = [
        ("CPU per camera, relay + key-frame health (worker)", f"{pct['worker']:.2f} % of a core", "<= 3 %",
         pct["worker"] <= 3.0),
        ("ffmpeg -c copy of the same stream", f"{pct['ffmpeg']:.2f} % of a core", "", None),
        ("relay / ffmpeg copy", f"{ratio:.2f} x", "<= 2.5 x", ratio <= 2.5),
        ("bare reader PyAV / OpenCV raw (same stream)", f"{pct['pyav_read']:.2f} % / {pct['opencv_read']:.2f} %",
         "", None),
        ("supervisor (all cameras) / receiver", f"{pct['supervisor']:.2f} % / {pct['receiver']:.2f} %", "", None),
        ("uplink bytes over the source's: header, ZMTP, Curve", f"{overhead:+.2f} % of {cpu['source_kbps']:.0f} kbit/s",
         "<= 5 %", overhead <= 5.0),
        ("  the same with TCP/IP/Ethernet framing (tc count)" if cpu["netns"] else "  (TCP payload via relay)",
         f"{wire_overhead:+.2f} %", "", None),
        (f"latency p95 at 115 % of {lat['capacity_kbps']} kbit/s, 2nd half", f"{p95:.2f} s", "<= 2 s", p95 <= 2.0),
        ("latency p95 growth, 2nd half vs 1st", f"{growth:+.2f} s", "no growth", growth <= 0.25),
        ("packets dropped on the thin link (whole GOPs)", f"{last[2]} of {last[3] + last[2]}", "", None),
    ]
    print(f"\ncamera relay bench: {args.width}x{args.height} {args.fps} fps ~{args.kbps} kbit/s, "
          f"CPU window {cpu['wall']:.0f} s, thin link {args.latency_s} s, {os.cpu_count()} cores")
    for name, value, target, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {name:<58} {value:>26}  {target:>9}  {verdict}")
    print("  latency samples (s since start, p95 over the last 30 s, missing, received):",
          json.dumps(lat["samples"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

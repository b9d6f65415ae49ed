"""A fake IP camera: GStreamer's RTSP server serving a clip in real time, on 127.0.0.1 only.

Run with the system python3 (python3-gi and gir1.2-gst-rtsp-server-1.0 from Debian):
``python3 rtsp_camera.py --port N --clip clip.mp4 [--codec hevc] [--user U --password P] [--once]``.
Each client gets the clip from its start, paced like a live camera, RTP over the RTSP TCP
connection. ``--once`` exits after the first client's stream ends, so nothing is served twice.
Prints ``ready`` on stdout when it listens.
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PARSE = {"h264": ("h264parse", "rtph264pay"), "hevc": ("h265parse", "rtph265pay")}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clip", required=True)
    parser.add_argument("--codec", choices=sorted(PARSE), default="h264")
    parser.add_argument("--path", default="/stream")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    Gst.init(None)
    loop = GLib.MainLoop()

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    parse, pay = PARSE[args.codec]
    demux = "qtdemux" if args.clip.endswith((".mp4", ".mov")) else "tsdemux"
    factory.set_launch(f"( filesrc location={args.clip} ! {demux} ! {parse} ! "
                       f"{pay} name=pay0 pt=96 config-interval=-1 )")
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "camera-user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("camera-user", "media.factory.access", True)
        permissions.add_permission_for_role("camera-user", "media.factory.construct", True)
        factory.set_permissions(permissions)
    if args.once:
        factory.connect("media-configure",
                        lambda _f, media: media.connect("unprepared", lambda _m: loop.quit()))
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print("cannot listen", flush=True)
        return 1
    print("ready", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

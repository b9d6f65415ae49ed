"""``python -m camera_bridge [receiver|keys] ...``: the bridge, or the receiver, or key making."""

import sys

from camera_bridge.cli import bridge_main, keys_main, receiver_main

if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] == ["receiver"]:
        sys.exit(receiver_main(argv[1:]))
    if argv[:1] == ["keys"]:
        sys.exit(keys_main(argv))
    sys.exit(bridge_main(argv))

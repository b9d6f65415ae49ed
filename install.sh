#!/usr/bin/env bash
# Turn a fresh Debian 12 machine into a motcua office box, or into one of its devices.
#
#   sudo ./install.sh --config office.yaml [--site site.yaml] [--hall-screen]
#       the office box: Mosquitto (provisioned), ticketd, announcer, LED boards, keypads,
#       camera bridge, statistics, nightly backups; with --hall-screen also the hall TV on HDMI.
#   sudo ./install.sh --device motcua-kiosk@kiosk-1.service --credentials kiosk@kiosk-1.env [--ca ca.crt]
#       a kiosk, rating pad or screen machine: the app and its one unit, with the credentials
#       file `motcua provision` made for it on the office box (copied from /etc/motcua/credentials).
#   ./install.sh --root DIR ...
#       write every file under DIR instead of the system: no apt, no venv, no users, no systemctl
#       on the running system (units are enabled inside DIR with systemctl --root).
#
# Safe to run again: the office config is never overwritten, broker passwords are kept.
set -euo pipefail

SRC="$(cd "$(dirname "$0")" && pwd)"
ROOT=""
CONFIG=""
SITE=""
DEVICE_UNITS=()
CREDENTIALS=()
CA=""
HALL_SCREEN=0
APT=1
PYTHON=""

APT_PACKAGES=(
  mosquitto mosquitto-clients python3 python3-venv openssl sqlite3 ca-certificates
  fonts-dejavu-core fonts-noto-core espeak-ng alsa-utils sox
  libgl1 libegl1 libgbm1 libdrm2 libinput10 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3
  cage xwayland
)

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --site) SITE="$2"; shift 2 ;;
    --device) DEVICE_UNITS+=("$2"); shift 2 ;;
    --credentials) CREDENTIALS+=("$2"); shift 2 ;;
    --ca) CA="$2"; shift 2 ;;
    --hall-screen) HALL_SCREEN=1; shift ;;
    --no-apt) APT=0; shift ;;
    --python) PYTHON="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

REAL=1
[ -n "$ROOT" ] && REAL=0
if [ "$REAL" = 1 ] && [ "$(id -u)" != 0 ]; then die "run as root (sudo), or use --root DIR"; fi

ETC="$ROOT/etc/motcua"
OPT="$ROOT/opt/motcua"
UNITDIR="$ROOT/etc/systemd/system"

# 1. system packages
if [ "$REAL" = 1 ] && [ "$APT" = 1 ]; then
  say "installing system packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"
else
  say "system packages to install: ${APT_PACKAGES[*]}"
fi

# 2. the code, and a venv with it under /opt/motcua
say "copying motcua to $OPT/src"
mkdir -p "$OPT/src"
tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude=./var --exclude=./artifacts \
  --exclude='__pycache__' --exclude=./.pytest_cache --exclude=./.hypothesis -cf - . | tar -C "$OPT/src" -xf -
if [ "$REAL" = 1 ]; then
  say "creating the venv $OPT/venv"
  python3 -m venv "$OPT/venv"
  "$OPT/venv/bin/pip" install --quiet --upgrade pip
  "$OPT/venv/bin/pip" install --quiet "$OPT/src[ui,video]"
  PYTHON="${PYTHON:-$OPT/venv/bin/python}"
else
  PYTHON="${PYTHON:-python3}"
fi
mkdir -p "$ROOT/usr/local/bin"
cat > "$ROOT/usr/local/bin/motcua" <<'EOF'
#!/bin/sh
# motcua in a technician's shell: the installed office config and data dir unless told otherwise.
: "${MOTCUA_CONFIG:=/etc/motcua/office.yaml}"
: "${MOTCUA_DATA_DIR:=/var/lib/motcua}"
export MOTCUA_CONFIG MOTCUA_DATA_DIR
exec /opt/motcua/venv/bin/motcua "$@"
EOF
chmod 755 "$ROOT/usr/local/bin/motcua"

# 3. the motcua user (systemd-sysusers), and the udev rule that lets it reach USB printers
mkdir -p "$ROOT/etc/sysusers.d" "$ROOT/etc/udev/rules.d"
install -m 644 "$SRC/systemd/motcua.sysusers" "$ROOT/etc/sysusers.d/motcua.conf"
install -m 644 "$SRC/systemd/70-motcua-printers.rules" "$ROOT/etc/udev/rules.d/70-motcua-printers.rules"
if [ "$REAL" = 1 ]; then
  systemd-sysusers /etc/sysusers.d/motcua.conf
  udevadm control --reload-rules && udevadm trigger --subsystem-match=usb || true
fi

# 4. configuration
mkdir -p "$ETC/credentials"
chmod 700 "$ETC/credentials"
if [ ${#DEVICE_UNITS[@]} -eq 0 ]; then
  if [ ! -e "$ETC/office.yaml" ]; then
    if [ -n "$CONFIG" ]; then
      install -m 644 "$CONFIG" "$ETC/office.yaml"
    else
      install -m 644 "$SRC/config/examples/demo-office.yaml" "$ETC/office.yaml"
      say "no --config: installed the demo office as $ETC/office.yaml; edit it, then run install.sh again"
    fi
  else
    say "keeping the existing $ETC/office.yaml"
  fi
  if [ -n "$SITE" ]; then install -m 640 "$SITE" "$ETC/site.yaml"; fi
else
  if [ -n "$CONFIG" ]; then install -m 644 "$CONFIG" "$ETC/office.yaml"; fi
  [ -e "$ETC/office.yaml" ] || die "a device needs the office config too: --config office.yaml"
  for file in "${CREDENTIALS[@]}"; do install -m 600 "$file" "$ETC/credentials/$(basename "$file")"; done
  if [ -n "$CA" ]; then mkdir -p "$ETC/broker/tls" && install -m 644 "$CA" "$ETC/broker/tls/ca.crt"; fi
fi
mkdir -p "$ROOT/var/lib/motcua"
chmod 750 "$ROOT/var/lib/motcua"

# 5. the broker's files and every device's credentials (office box only)
UNITS=()
if [ ${#DEVICE_UNITS[@]} -eq 0 ]; then
  say "provisioning the broker"
  site_args=()
  [ -e "$ETC/site.yaml" ] && site_args=(--site "$ETC/site.yaml")
  PYTHONPATH="$OPT/src${PYTHONPATH:+:$PYTHONPATH}" MOTCUA_MQTT_URL="" "$PYTHON" -m motcua provision \
    -c "$ETC/office.yaml" --out "$ETC" --as-dir /etc/motcua --broker-state /var/lib/motcua-broker "${site_args[@]}"
  UNITS=(motcua-broker.service motcua-backup.timer)
  while read -r unit; do [ -n "$unit" ] && UNITS+=("$unit"); done < "$ETC/box-units.txt"
  [ "$HALL_SCREEN" = 1 ] && UNITS+=(motcua-display@hall.service)
else
  UNITS=("${DEVICE_UNITS[@]}")
fi

# 6. units
say "installing the units into $UNITDIR"
mkdir -p "$UNITDIR"
for unit in "$SRC"/systemd/*.service "$SRC"/systemd/*.timer; do install -m 644 "$unit" "$UNITDIR/"; done
systemctl_() { if [ "$REAL" = 1 ]; then systemctl "$@"; else systemctl --root="$ROOT" "$@"; fi; }
if [ "$REAL" = 1 ]; then
  systemctl daemon-reload
  chown -R motcua:motcua /var/lib/motcua
fi
# Debian's own mosquitto.service stays off: on the box motcua-broker owns port 1883, a device
# needs no broker at all
if [ "$REAL" = 1 ]; then systemctl disable --now mosquitto.service 2>/dev/null || true; fi
systemctl_ mask mosquitto.service
case "${UNITS[*]}" in  # a kiosk session starts with the graphical target
  *motcua-kiosk@*|*motcua-rating-pad@*) ln -sfn /lib/systemd/system/graphical.target "$UNITDIR/default.target" ;;
esac
say "enabling: ${UNITS[*]}"
if [ "$REAL" = 1 ]; then
  systemctl enable --now "${UNITS[@]}"
  [ ${#DEVICE_UNITS[@]} -eq 0 ] && systemctl reload motcua-broker.service || true
else
  systemctl_ enable "${UNITS[@]}"
fi

say "done. Check the office with: sudo motcua doctor"

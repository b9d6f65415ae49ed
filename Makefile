# motcua — the two commands a newcomer runs: `make demo` and `make test`.
# Both create .venv, install the package, and install missing system packages with apt-get
# (as root; otherwise they print the exact command to run).

# Debian's own python3 when it has 3.11 or newer and venv: it is what install.sh gives the office
# box, and Debian builds it with PGO and LTO, about a third faster than a python compiled without
# them (pyenv's default). Otherwise the first python3 on the PATH. `make PYTHON=...` overrides.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
APT_PACKAGES := mosquitto mosquitto-clients fonts-dejavu-core fonts-noto-core espeak-ng sox \
	ffmpeg socat alsa-utils libgl1 libegl1 libx11-6 libxkbcommon0 libfontconfig1 \
	libfreetype6 libglib2.0-0 libdbus-1-3 systemd chromium openssl postgresql \
	xvfb libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1 \
	libx11-xcb1 python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
APT_STAMP := $(VENV)/.apt-$(shell echo "$(APT_PACKAGES)" | md5sum | cut -c1-8)

.PHONY: demo test soak bench deps venv clean

demo: venv
	$(PY) -m motcua demo

test: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

soak: venv
	QT_QPA_PLATFORM=offscreen MOTCUA_SOAK=1 $(PY) -m pytest -q tests/reliability
	$(PY) bench/soak_office.py --hours 8

bench: venv
	$(PY) bench/run_all.py

venv: $(STAMP) $(APT_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[ui,video,province,test]'
	touch $@

deps: $(APT_STAMP)

$(APT_STAMP): | $(VENV)/bin/python
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing system packages; run:"; echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi
	touch $@

clean:
	rm -rf $(VENV) var artifacts .pytest_cache .hypothesis

#!/usr/bin/env bash
# Install the Debian/Ubuntu packages that `npm test` (and `npm run bench`) use.
# Runs apt-get update first; uses sudo when not run as root. CI runs it too (.ci/run).
set -euo pipefail

PACKAGES=(
  # A virtual X server and the X clients the tests drive it with (a terminal to scroll,
  # synthetic input, clipboard tools, xrandr, xdpyinfo).
  xvfb xauth x11-utils x11-xserver-utils xterm xdotool xclip xsel
  # libvncclient: the tests build a small reference viewer against it.
  libvncserver-dev pkg-config gcc libc6-dev
  # The native deflate addon (native/zlib-deflate) links zlib's static library; node-gyp runs make and python3.
  zlib1g-dev make python3
  # Other VNC software: x11vnc and TigerVNC's scraping server for side-by-side checks and
  # the benchmark, TigerVNC's viewer (the password tests log in with its -passwd FILE).
  x11vnc tigervnc-scraping-server tigervnc-viewer
  # A packet capture on loopback (VeNCrypt: nothing of RFB in clear after the handshake), and
  # openssl to check the TLS certificate we make.
  tcpdump openssl
  # TigerVNC's vncpasswd: password files written by it are read by us, and the other way round.
  tigervnc-tools
  # ImageMagick for test images, and a font for the terminal's text.
  imagemagick fonts-dejavu-core
  # Chromium for the noVNC and dashboard tests (driven by playwright-core), Prometheus to scrape /metrics.
  chromium prometheus
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: no apt-get here; install these (or your system's equivalents) another way:" >&2
  echo "  ${PACKAGES[*]}" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"

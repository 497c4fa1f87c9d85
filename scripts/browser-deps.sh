#!/usr/bin/env bash
# Browser tests drive Debian's Chromium with Playwright (no downloaded browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing Debian's chromium for the browser tests …"
if [ "$(id -u)" != 0 ]; then
  echo "error: /usr/bin/chromium is missing; install it with: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null \
  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }

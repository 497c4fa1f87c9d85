#!/usr/bin/env bash
# Install Debian packages a make target needs when a program of theirs is missing.
#   debian-deps.sh PROGRAM "WHAT NEEDS IT" PACKAGE...
# (the browser tests drive Debian's Chromium with Playwright, no downloaded browser; the
# benchmarks load the gateway with wrk)
set -euo pipefail
program=$1 purpose=$2
shift 2
if command -v "$program" >/dev/null 2>&1; then exit 0; fi
echo "installing Debian's $* for $purpose …"
if [ "$(id -u)" != 0 ]; then
  echo "error: $program is missing; install it with: sudo apt-get install $*" >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null \
  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
command -v "$program" >/dev/null 2>&1 || { echo "error: $program is still missing after installing $*" >&2; exit 1; }

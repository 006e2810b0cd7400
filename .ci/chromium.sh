#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; install it when missing (root), else say how.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium package" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
else
  echo "chromium: not installed. Install it with: sudo apt-get install -y chromium" >&2
  exit 1
fi

#!/usr/bin/env bash
# The S3 test of the media store runs against moto's server (PyPI `moto[server]`), an
# S3-compatible fake. Installs the pinned version into a project-local virtualenv under .tools/
# when missing; prints the path of its `moto_server` executable. Everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.2.5
VENV="$PWD/.tools/moto-$VERSION"
EXE="$VENV/bin/moto_server"

say() { echo "moto: $*" >&2; }

if [ -x "$EXE" ] && "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$VERSION')" 2>/dev/null; then
  echo "$EXE"
  exit 0
fi

PYTHON=$(command -v python3 || true)
if [ -z "$PYTHON" ]; then
  say "python3 is not installed; install it (Debian: apt-get install -y python3 python3-venv)"
  exit 1
fi

say "installing moto[server] $VERSION into ${VENV#"$PWD"/}"
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" >&2; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "python3 cannot make a virtualenv; installing Debian's python3-venv"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" >&2
  else
    say "python3 cannot make a virtualenv. Install it with: sudo apt-get install -y python3-venv"
    exit 1
  fi
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$VERSION" >&2
"$VENV/bin/python" -c "import moto; print('moto', moto.__version__)" >&2
echo "$EXE"

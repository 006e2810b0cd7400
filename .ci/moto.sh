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

say "installing moto[server] $VERSION into ${VENV#"$PWD"/}"
# shellcheck source=.ci/venv.sh
. .ci/venv.sh
new_venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$VERSION" >&2
"$VENV/bin/python" -c "import moto; print('moto', moto.__version__)" >&2
echo "$EXE"

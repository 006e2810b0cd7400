#!/usr/bin/env bash
# The contract test fuzzes the API with schemathesis (PyPI). Installs the pinned version into a
# project-local virtualenv under .tools/ when missing; prints the path of its executable.
# Everything else goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.32.5
VENV="$PWD/.tools/schemathesis-$VERSION"
EXE="$VENV/bin/schemathesis"

say() { echo "schemathesis: $*" >&2; }

if [ -x "$EXE" ] && "$EXE" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "$EXE"
  exit 0
fi

say "installing schemathesis $VERSION into ${VENV#"$PWD"/}"
# shellcheck source=.ci/venv.sh
. .ci/venv.sh
new_venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
"$EXE" --version >&2
echo "$EXE"

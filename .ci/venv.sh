# Sourced by the scripts that install a pinned PyPI tool (schemathesis.sh, moto.sh):
# `new_venv DIR` makes a fresh virtualenv there with python3, installing Debian's python3-venv
# first when it is missing and we may. Expects `say` (messages to stderr) from the caller.

new_venv() {
  local venv="$1" python
  python=$(command -v python3 || true)
  if [ -z "$python" ]; then
    say "python3 is not installed; install it (Debian: apt-get install -y python3 python3-venv)"
    exit 1
  fi
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" >&2; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "python3 cannot make a virtualenv; installing Debian's python3-venv"
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      rm -rf "$venv"
      "$python" -m venv "$venv" >&2
    else
      say "python3 cannot make a virtualenv. Install it with: sudo apt-get install -y python3-venv"
      exit 1
    fi
  fi
}

#!/usr/bin/env bash
# Makes sure a PostgreSQL server is reachable and the database exists; prints its URL.
#
# Order: DATABASE_URL when it answers; else the machine's server on 127.0.0.1:5432 (started
# when it is merely stopped); else a project-local cluster under .data/postgres with the
# installed binaries; else installs Debian's `postgresql` package when root; else says what
# to install. Everything but the URL goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "postgres: $*" >&2; }
LOCAL_PORT=55432
LOCAL_DIR="$PWD/.data/postgres"

if [ -z "${DATABASE_URL:-}" ] && [ -f .env ]; then
  DATABASE_URL=$(grep -E '^DATABASE_URL=' .env | tail -n1 | cut -d= -f2- | tr -d '"'"'" || true)
fi
WANTED_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/parley}

pg_bin() {
  local name=$1 found
  if found=$(command -v "$name" 2>/dev/null); then echo "$found"; return 0; fi
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n1)
  [ -n "$found" ] && echo "$found"
}

# host, port, user and database of a postgres:// URL
url_part() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
print({"host": u.hostname or "127.0.0.1", "port": u.port or 5432, "user": u.username or "postgres",
       "db": (u.path or "/parley").lstrip("/") or "parley"}[sys.argv[2]])
PY
}

answers() { # URL -> success when the server accepts connections
  local isready
  isready=$(pg_bin pg_isready) || return 1
  "$isready" -q -h "$(url_part "$1" host)" -p "$(url_part "$1" port)" -U "$(url_part "$1" user)" -t 3
}

ensure_database() { # URL
  local psql host port user db
  psql=$(pg_bin psql) || { say "psql not found; cannot check that the database exists"; return 0; }
  host=$(url_part "$1" host); port=$(url_part "$1" port); user=$(url_part "$1" user); db=$(url_part "$1" db)
  if ! "$psql" -h "$host" -p "$port" -U "$user" -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    say "creating database $db"
    "$psql" -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$db\"" >&2
  fi
}

use() { ensure_database "$1"; echo "$1"; exit 0; }

if answers "$WANTED_URL"; then use "$WANTED_URL"; fi
if [ -n "${DATABASE_URL:-}" ]; then
  say "DATABASE_URL ($DATABASE_URL) does not answer; trying a local server instead"
fi

LOCAL_URL="postgres://postgres@127.0.0.1:$LOCAL_PORT/parley"
start_local_cluster() {
  local initdb pg_ctl runas=()
  initdb=$(pg_bin initdb) && pg_ctl=$(pg_bin pg_ctl) || return 1
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home "$LOCAL_DIR" postgres
    runas=(runuser -u postgres --)
  fi
  mkdir -p "$LOCAL_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$LOCAL_DIR"
  if [ ! -f "$LOCAL_DIR/PG_VERSION" ]; then
    say "creating a project-local cluster in $LOCAL_DIR"
    "${runas[@]}" "$initdb" -D "$LOCAL_DIR" -A trust -U postgres >/dev/null
  fi
  say "starting the project-local cluster on port $LOCAL_PORT"
  "${runas[@]}" "$pg_ctl" -D "$LOCAL_DIR" -l "$LOCAL_DIR/server.log" -w \
    -o "-p $LOCAL_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}

# A project-local cluster started earlier, or one to start now with the installed binaries.
if answers "$LOCAL_URL"; then use "$LOCAL_URL"; fi

DEFAULT_URL="postgres://postgres@127.0.0.1:5432/parley"
if ! pg_bin initdb >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing PostgreSQL (apt-get install postgresql)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    for cluster in $(pg_lsclusters --no-header 2>/dev/null | awk '{print $1 "/" $2}'); do
      pg_ctlcluster --skip-systemctl-redirect "${cluster%/*}" "${cluster#*/}" start >&2 || true
    done
    if answers "$DEFAULT_URL"; then use "$DEFAULT_URL"; fi
  else
    say "PostgreSQL is not installed. Install it with: sudo apt-get install -y postgresql"
    say "or set DATABASE_URL to a reachable server."
    exit 1
  fi
fi

if pg_bin initdb >/dev/null; then
  start_local_cluster && answers "$LOCAL_URL" && use "$LOCAL_URL"
fi
say "could not start PostgreSQL; see $LOCAL_DIR/server.log"
exit 1

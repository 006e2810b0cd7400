#!/usr/bin/env bash
# Makes sure everything the wasm build of web/ needs is present (see shared docs WASM.md).
#
# Idempotent and quick when all is in place. Installs project-locally under .tools/:
#   .tools/bin/wasm-bindgen     wasm-bindgen-cli, exactly the wasm-bindgen version in Cargo.lock
#   .tools/npm/.../wasm-opt     binaryen from npm (Debian's binaryen breaks the module)
# and writes .tools/wasm-env.sh, which web/build.sh sources:
#   WASM_MODE=rustup|debian, WASM_CARGO, WASM_BINDGEN, WASM_OPT.
#
# Toolchain: rustup's when it has the wasm32-unknown-unknown target installed; otherwise
# Debian's rustc-web/cargo-web/rust-web-src/lld-22 (the standard library is then built from
# source with -Zbuild-std). As root, missing Debian packages are installed with apt-get; as
# anyone else the script says what to install and exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BINARYEN_VERSION="${BINARYEN_VERSION:-132.0.0}"
TARGET=wasm32-unknown-unknown

log() { printf 'setup-toolchain: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_updated=0
# ensure_debs PKG...: installs the missing ones (root) or explains and fails.
ensure_debs() {
    local missing=() pkg
    for pkg in "$@"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! is_root; then
        die "missing Debian packages; run as root: apt-get update && apt-get install -y ${missing[*]}"
    fi
    if [ "$apt_updated" -eq 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install -y ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- Rust toolchain for wasm -------------------------------------------------------------
if command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
    WASM_MODE=rustup
    WASM_CARGO="$(rustup which cargo)"
    HOST_CARGO="$WASM_CARGO"
else
    WASM_MODE=debian
    ensure_debs rustc-web cargo-web rust-web-src lld-22
    WASM_CARGO=/usr/bin/cargo
    [ -x "$WASM_CARGO" ] || die "$WASM_CARGO not found although cargo-web is installed"
    [ -x /usr/bin/rust-lld ] || die "/usr/bin/rust-lld not found (package lld-22)"
    # Any host cargo can build the CLI tools; prefer rustup's (it shares ~/.cargo caches).
    HOST_CARGO="$(command -v cargo || echo /usr/bin/cargo)"
fi

# --- wasm-bindgen CLI: exactly the version in Cargo.lock ----------------------------------
LOCK="$ROOT/Cargo.lock"
if [ ! -f "$LOCK" ]; then
    log "no Cargo.lock yet: generating it"
    (cd "$ROOT" && "$HOST_CARGO" generate-lockfile)
fi
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$LOCK")"
[ -n "$WB_VERSION" ] || die "wasm-bindgen not found in $LOCK (is parley-web a workspace member?)"

WASM_BINDGEN="$TOOLS/bin/wasm-bindgen"
have_wb="$("$WASM_BINDGEN" --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have_wb" != "$WB_VERSION" ]; then
    log "installing wasm-bindgen-cli $WB_VERSION into $TOOLS (takes a few minutes)"
    mkdir -p "$TOOLS"
    if ! "$HOST_CARGO" install wasm-bindgen-cli --version "=$WB_VERSION" --root "$TOOLS" \
        --locked --force; then
        log "--locked failed (the lock file may pin crates the registry lacks); retrying without"
        "$HOST_CARGO" install wasm-bindgen-cli --version "=$WB_VERSION" --root "$TOOLS" --force
    fi
    have_wb="$("$WASM_BINDGEN" --version | awk '{ print $2 }')"
    [ "$have_wb" = "$WB_VERSION" ] || die "installed wasm-bindgen $have_wb, wanted $WB_VERSION"
fi

# --- wasm-opt from npm's binaryen ----------------------------------------------------------
NPM_PREFIX="$TOOLS/npm"
WASM_OPT="$NPM_PREFIX/node_modules/.bin/wasm-opt"
want_opt="version ${BINARYEN_VERSION%%.*}"
if ! "$WASM_OPT" --version 2>/dev/null | grep -q "$want_opt"; then
    if ! command -v npm >/dev/null 2>&1; then
        ensure_debs nodejs npm
    fi
    log "installing binaryen@$BINARYEN_VERSION from npm into $NPM_PREFIX"
    mkdir -p "$NPM_PREFIX"
    npm install --prefix "$NPM_PREFIX" --no-save --no-audit --no-fund --loglevel=error \
        "binaryen@$BINARYEN_VERSION" >/dev/null
    "$WASM_OPT" --version | grep -q "$want_opt" || die "wasm-opt is not binaryen $BINARYEN_VERSION"
fi

# gzip for the size report.
command -v gzip >/dev/null 2>&1 || ensure_debs gzip

env_file="$TOOLS/wasm-env.sh"
cat >"$env_file.new" <<EOF
# Written by web/setup-toolchain.sh; sourced by web/build.sh.
WASM_MODE=$WASM_MODE
WASM_CARGO=$WASM_CARGO
WASM_BINDGEN=$WASM_BINDGEN
WASM_OPT=$WASM_OPT
WASM_BINDGEN_VERSION=$WB_VERSION
EOF
# Rewritten only on change: build.sh redoes its post-processing when this file is newer.
if cmp -s "$env_file.new" "$env_file"; then
    rm -f "$env_file.new"
else
    mv "$env_file.new" "$env_file"
fi
log "ok: $WASM_MODE toolchain ($("$WASM_CARGO" --version)), wasm-bindgen $WB_VERSION, wasm-opt $("$WASM_OPT" --version | awk '{ print $3 }')"

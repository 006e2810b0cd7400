#!/usr/bin/env bash
# Builds the SPA into web/dist/: index.html, style.css, parley-web.js and parley-web_bg.wasm.
#
# Uses the toolchain that web/setup-toolchain.sh finds or installs (run first, quick when all is
# present), the workspace profile `wasm-release`, and its own target directory (target/wasm),
# so that Debian's rustc for wasm and rustup's rustc for the server never share build output.
# Incremental: cargo decides what to recompile; wasm-bindgen and wasm-opt run only when the
# wasm, index.html, style.css or this script changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WEB="$ROOT/web"
DIST="$WEB/dist"
TARGET=wasm32-unknown-unknown
PROFILE=wasm-release
TARGET_DIR="$ROOT/target/wasm"
NAME=parley-web

bash "$WEB/setup-toolchain.sh"
# shellcheck source=/dev/null
. "$ROOT/.tools/wasm-env.sh"

start=$SECONDS
cd "$ROOT"
# Type-erased components: about 9 % less wasm (and faster builds) for the same app.
export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"
if [ "$WASM_MODE" = rustup ]; then
    "$WASM_CARGO" build -p "$NAME" --profile "$PROFILE" --target "$TARGET" \
        --target-dir "$TARGET_DIR"
else
    # Debian ships no prebuilt wasm standard library: build it from rust-web-src, for size
    # (a panic traps at once: wasm shows no panic message anyway without a hook).
    RUSTFLAGS="$RUSTFLAGS -Zunstable-options -Cpanic=immediate-abort" \
        RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        "$WASM_CARGO" build -p "$NAME" --profile "$PROFILE" --target "$TARGET" \
        -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size \
        --target-dir "$TARGET_DIR"
fi
WASM="$TARGET_DIR/$TARGET/$PROFILE/$NAME.wasm"
[ -f "$WASM" ] || { echo "build.sh: $WASM was not produced" >&2; exit 1; }

STAMP="$DIST/.built"
fresh=1
if [ ! -f "$STAMP" ]; then
    fresh=0
else
    for input in "$WASM" "$WEB/index.html" "$WEB/style.css" "$WEB/build.sh" "$ROOT/.tools/wasm-env.sh"; do
        if [ "$input" -nt "$STAMP" ]; then fresh=0; fi
    done
fi

if [ "$fresh" -eq 1 ]; then
    echo "build.sh: web/dist is up to date"
else
    STAGE="$TARGET_DIR/stage"
    rm -rf "$STAGE"
    mkdir -p "$STAGE"
    "$WASM_BINDGEN" --target web --no-typescript --out-dir "$STAGE" --out-name "$NAME" "$WASM"
    # Features that rustc enables for wasm32 by default and every current browser supports.
    "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        -o "$STAGE/${NAME}_bg.opt.wasm" "$STAGE/${NAME}_bg.wasm"
    mv "$STAGE/${NAME}_bg.opt.wasm" "$STAGE/${NAME}_bg.wasm"
    cp "$WEB/style.css" "$STAGE/style.css"
    # Cache-busting query string: changes whenever the code or the styles change.
    version="$(cat "$STAGE/$NAME.js" "$STAGE/${NAME}_bg.wasm" "$STAGE/style.css" |
        sha256sum | cut -c1-12)"
    sed "s/__VERSION__/$version/g" "$WEB/index.html" >"$STAGE/index.html"
    touch "$STAGE/.built"
    rm -rf "$DIST.old"
    if [ -d "$DIST" ]; then mv "$DIST" "$DIST.old"; fi
    mv "$STAGE" "$DIST"
    rm -rf "$DIST.old"
fi

raw=$(wc -c <"$DIST/${NAME}_bg.wasm")
gz=$(gzip -9c "$DIST/${NAME}_bg.wasm" | wc -c)
js=$(wc -c <"$DIST/$NAME.js")
printf 'build.sh: web/dist ready in %ss: %s_bg.wasm %s bytes (%s gzipped), %s.js %s bytes\n' \
    "$((SECONDS - start))" "$NAME" "$raw" "$gz" "$NAME" "$js"

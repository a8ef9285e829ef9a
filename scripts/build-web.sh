#!/usr/bin/env bash
# Builds the page's wasm into pkg/: cargo (wasm32, release) → wasm-bindgen (--target web) →
# wasm-opt -Oz (npm binaryen; Debian's binaryen 108 breaks the module). The optimised module is
# cached by the hash of its input, so an unchanged crate costs seconds, not minutes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_node_modules

say "building the wasm module (release)"
cargo build --lib --target wasm32-unknown-unknown --release --no-default-features
target_dir=${CARGO_TARGET_DIR:-target}
wasm=$target_dir/wasm32-unknown-unknown/release/localrec.wasm

rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg "$wasm"

if [ "${LOCALREC_WASM_OPT:-1}" = "1" ]; then
  cache=$target_dir/wasm-opt-cache
  key=$(sha256sum pkg/localrec_bg.wasm | cut -c1-32)
  if [ ! -f "$cache/$key.wasm" ]; then
    say "wasm-opt -Oz (several minutes; cached afterwards)"
    mkdir -p "$cache"
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-simd --enable-mutable-globals --enable-reference-types --enable-multivalue \
      pkg/localrec_bg.wasm -o "$cache/$key.wasm.tmp"
    mv "$cache/$key.wasm.tmp" "$cache/$key.wasm"
  fi
  cp "$cache/$key.wasm" pkg/localrec_bg.wasm
fi

raw=$(stat -c %s pkg/localrec_bg.wasm)
gz=$(gzip -9 -c pkg/localrec_bg.wasm | wc -c)
say "pkg/localrec_bg.wasm: $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzip"

#!/usr/bin/env bash
# Builds the page's wasm into pkg/ (and the package's site builder, pkg/localrec_builder*, see
# builder/): cargo (wasm32, release) → wasm-bindgen (--target web) →
# wasm-opt -O1 (npm binaryen; Debian's binaryen 108 breaks the module). The optimised module is
# cached by the hash of its input, so an unchanged crate costs seconds, not minutes.
# Why -O1: LLVM has already optimised the code; on this module (2026-11-23, same input, ABAB)
# -O1 took 2 min and gave 23.6 MB raw / 4.83 MB gzip, while -Oz took over 9 min for 19.2 MB raw
# / 5.04 MB gzip and embedded no faster (CPU, items ×1: 25.3–25.5 vs 25.2–25.8 sentences/s).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_wasm_target
ensure_wasm_bindgen_cli
ensure_node_modules

say "building the wasm modules (release): the page's, and the package's site builder (builder/)"
# One cargo run: the crate is compiled once and linked twice.
cargo build --lib --target wasm32-unknown-unknown --release --no-default-features -p localrec -p localrec-builder
target_dir=${CARGO_TARGET_DIR:-target}
wasm=$target_dir/wasm32-unknown-unknown/release/localrec.wasm

rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg "$wasm"
# The builder runs in Node (`npx localrec build-site`), where its size matters less: no wasm-opt
# (minutes), only its names section left out (44 → 37 MB; 5.8 MB gzip in the npm package).
wasm-bindgen --target web --no-typescript --remove-name-section --out-dir pkg \
  "$target_dir/wasm32-unknown-unknown/release/localrec_builder.wasm"

if [ "${LOCALREC_WASM_OPT:-1}" = "1" ]; then
  level=-O1
  cache=$target_dir/wasm-opt-cache
  cached=$cache/$(sha256sum pkg/localrec_bg.wasm | cut -c1-32)$level.wasm
  if [ ! -f "$cached" ]; then
    say "wasm-opt $level (a minute or two; cached afterwards)"
    mkdir -p "$cache"
    node_modules/.bin/wasm-opt $level --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-simd --enable-mutable-globals --enable-reference-types --enable-multivalue \
      pkg/localrec_bg.wasm -o "$cached.tmp"
    mv "$cached.tmp" "$cached"
  fi
  cp "$cached" pkg/localrec_bg.wasm
fi

raw=$(stat -c %s pkg/localrec_bg.wasm)
gz=$(gzip -9 -c pkg/localrec_bg.wasm | wc -c)
say "pkg/localrec_bg.wasm: $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzip"

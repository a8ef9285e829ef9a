#!/usr/bin/env bash
# The README's "test" command (CI runs it through .ci/run): installs what the tests need, then
# runs every test: native specs on the CPU and on wgpu (software Vulkan), the wasm build, and
# the browser specs in Debian's Chromium (WebGPU on SwiftShader, and the CPU fallback).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
# lavapipe: a software Vulkan driver, so the wgpu code path is tested without a GPU.
ensure_apt mesa-vulkan-drivers libvulkan1
ensure_chromium
ensure_wasm_target
ensure_model

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}  # silences a harmless wgpu warning

say "native tests (CPU flex + wgpu on Vulkan)"
cargo test --all-targets

say "sharded embedding and item–item fit on a local Dask cluster (scripts/dask-shards.py)"
ensure_pip "dask[distributed]==2026.8.0" distributed
python3 tests/dask/sharded_fit_test.py

say "building the web app (wasm32 release, wasm-bindgen, wasm-opt)"
./scripts/build-web.sh
ensure_item_vectors  # the page's catalogue matrix (built once by the native CLI)

say "building the demo site (dist/demo: anime-5k and goodbooks-10k)"
./scripts/build-site.sh

say "front-end unit tests (node) and the library's types (tsc)"
node --test tests/web/*.test.mjs
node_modules/.bin/tsc --noEmit -p examples
node_modules/.bin/tsc -p tests/types  # localrec.js against localrec.d.ts (checkJs)

say "browser tests on dist/demo (python3 -m http.server; Chromium: WebGPU on SwiftShader, and the CPU fallback)"
# package.test.mjs also packs the npm package from pkg/ (no second compile), installs the tarball
# in a temporary folder, bundles a page on it with esbuild, and builds a small site with the
# package's own `npx localrec build-site` (≈35 s in all).
# --test-force-exit: a failed test that leaves a browser open must fail the run, not hang it.
LOCALREC_SITE="$root/dist/demo" node --test --test-concurrency=1 --test-force-exit tests/browser/*.test.mjs
say "all tests passed"

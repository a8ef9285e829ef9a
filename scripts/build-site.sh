#!/usr/bin/env bash
# Builds the demo site: one folder of static files (dist/demo by default) that any web host can
# serve under any path, with no special headers: the page, its library, the wasm, the model, and
# the anime-5k (hybrid) and goodbooks-10k (text-only) catalogues. Missing item vectors are
# embedded (a minute or two each, once). Other catalogues: `localrec build-site --dataset …`.
#   scripts/build-site.sh [out folder]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=${1:-dist/demo}
ensure_rust
ensure_model
./scripts/build-web.sh
say "building the site in $out"
# The demo also carries the f32 model (for ?weights=f32 and the browser tests' parity check) and
# the example pages it links to; an adopter's site is only what the page loads.
cargo run --quiet --bin localrec -- build-site --dataset data/anime-5k --dataset data/goodbooks-10k \
  --f32-model --examples --out "$out"

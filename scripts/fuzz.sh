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
mkdir -p "$seeds"/{config,tokenizer,head,item_vectors,item_item,item_item_parts,catalog,compact_weights,adapter}
cp models/all-MiniLM-L6-v2/config.json "$seeds/config/"
cp models/all-MiniLM-L6-v2/tokenizer.json "$seeds/tokenizer/"
cp data/anime-5k/head-text-only.safetensors "$seeds/head/"
# The catalogue target reads its first byte as a choice: 0 a manifest, 1 CSV items, 2 JSON Lines.
{ printf '\x00'; cat data/anime-5k/catalog.json; } > "$seeds/catalog/manifest"
{ printf '\x01'; head -n 40 data/anime-5k/items.csv; } > "$seeds/catalog/items.csv"
{ printf '\x02'; printf '{"id": 1, "name": "A", "genres": ["x", "y"]}\n{"id": "b", "name": "B", "genres": null}\n'; } > "$seeds/catalog/items.jsonl"
python3 - "$seeds/item_vectors" <<'PY'
import json, struct, sys
rows, dim = 4, 8
def write(path, tensors):  # name -> (dtype, shape, bytes), in order
    header, data = {"__metadata__": {"model": "seed"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(header)) + header + data)
write(sys.argv[1] + "/small.safetensors",
      {"item_vectors": ("F32", [rows, dim], struct.pack(f"<{rows * dim}f", *[i / 10 for i in range(rows * dim)]))})
# The page's form: int8 values and one f32 scale per row.
write(sys.argv[1] + "/small-int8.safetensors",
      {"item_vectors": ("I8", [rows, dim], struct.pack(f"<{rows * dim}b", *[(i * 37) % 255 - 127 for i in range(rows * dim)])),
       "item_vectors.scale": ("F32", [rows], struct.pack(f"<{rows}f", 0.01, 0.02, 0.005, 1.0))})
PY
python3 - "$seeds/item_item" <<'PY'
import json, struct, sys
# 3 items: 2, 1 and 1 weights. The older form (absolute targets, f16 weights) and the page's
# (target steps, int8 weights with a scale per item).
offsets = struct.pack("<4I", 0, 2, 3, 4)
mix = {"scale": 8.0, "feedback": [1.0] * 12 + [-1.0]}
forms = {
    "small.safetensors": {"offsets": ("U32", offsets), "targets": ("U16", struct.pack("<4H", 1, 2, 0, 1)),
                          "weights": ("F16", struct.pack("<4e", 0.5, -0.25, 1.0, 0.125))},
    "small-int8.safetensors": {"offsets": ("U32", offsets), "target_steps": ("U16", struct.pack("<4H", 1, 1, 0, 1)),
                               "weights": ("I8", struct.pack("<4b", 127, -64, 127, 127)),
                               "weights.scale": ("F32", struct.pack("<3f", 0.5 / 127, 1 / 127, 0.125 / 127))},
}
size = {"U32": 4, "F32": 4, "U16": 2, "F16": 2, "I8": 1}
for file, tensors in forms.items():
    header, data, at = {"__metadata__": {"item_item_mix": json.dumps(mix)}}, b"", 0
    for name, (dtype, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": [len(raw) // size[dtype]], "data_offsets": [at, at + len(raw)]}
        data, at = data + raw, at + len(raw)
    header = json.dumps(header).encode()
    open(f"{sys.argv[1]}/{file}", "wb").write(struct.pack("<Q", len(header)) + header + data)
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

for target in config tokenizer head item_vectors item_item item_item_parts catalog compact_weights adapter; do
  say "fuzzing $target for ${seconds}s"
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -malloc_limit_mb=1024 -rss_limit_mb=4096 -max_len=1048576 -print_final_stats=1)
done

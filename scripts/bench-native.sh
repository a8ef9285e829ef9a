#!/usr/bin/env bash
# Native CPU benchmark: localrec (Burn flex) and candle's BERT on the same 256 item texts,
# in one run, and the throughput ratio per batch size. Not part of the test command.
# Usage: scripts/bench-native.sh [BATCHES] [COUNT]   (defaults: 1,16,64 and 256)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

batches=${1:-1,16,64}
count=${2:-256}
ensure_rust
ensure_model
# localrec's heavy code lives in its dependencies (Burn's kernels, gemm, tokenizers), which the
# shared dev profile already builds at opt-level 3 without debug checks: no second build needed.
say "building"
cargo build --quiet --bin localrec
cargo build --quiet --release --manifest-path bench/candle-peer/Cargo.toml

out=$(mktemp -d)
say "localrec (Burn flex, CPU)"
./target/debug/localrec bench --json --batch-sizes "$batches" --count "$count" | tee "$out/localrec.jsonl"
say "candle-transformers BERT (CPU)"
bench/candle-peer/target/release/candle-peer models/all-MiniLM-L6-v2 bench/item_texts.txt "$batches" "$count" | tee "$out/candle.jsonl"

python3 - "$out/localrec.jsonl" "$out/candle.jsonl" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
peer = {r["batch"]: r for r in (json.loads(l) for l in open(sys.argv[2]))}
print(f"\n| batch | localrec sentences/s | candle sentences/s | localrec tokens/s | GFLOP/s | ratio |")
print("|---:|---:|---:|---:|---:|---:|")
for r in ours:
    p = peer[r["batch"]]
    print(f"| {r['batch']} | {r['sentences_per_s']:.1f} | {p['sentences_per_s']:.1f} | {r['tokens_per_s']:.0f} | "
          f"{r['gflop_per_s']:.1f} | {r['sentences_per_s'] / p['sentences_per_s']:.2f}× |")
PY

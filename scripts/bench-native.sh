#!/usr/bin/env bash
# Native CPU benchmark: localrec (Burn flex) and candle's BERT on the same 256 item texts,
# in one run, and the throughput ratio per batch size. Not part of the test command.
# The two alternate for ROUNDS rounds and the medians are compared: this machine is noisy.
# Usage: scripts/bench-native.sh [BATCHES] [COUNT] [ROUNDS]   (defaults: 1,16,64; 256; 3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

batches=${1:-1,16,64}
count=${2:-256}
rounds=${3:-3}
ensure_rust
ensure_model
# localrec's heavy code lives in its dependencies (Burn's kernels, gemm, tokenizers), which the
# shared dev profile already builds at opt-level 3 without debug checks: no second build needed.
say "building"
cargo build --quiet --bin localrec
cargo build --quiet --release --manifest-path bench/candle-peer/Cargo.toml

out=$(mktemp -d)
for round in $(seq "$rounds"); do
  say "round $round/$rounds: localrec (Burn flex, CPU), then candle-transformers BERT (CPU)"
  ./target/debug/localrec bench --json --batch-sizes "$batches" --count "$count" | tee -a "$out/localrec.jsonl"
  bench/candle-peer/target/release/candle-peer models/all-MiniLM-L6-v2 bench/item_texts.txt "$batches" "$count" \
    | tee -a "$out/candle.jsonl"
done

python3 - "$out/localrec.jsonl" "$out/candle.jsonl" <<'PY'
import json, statistics, sys
def medians(path):
    runs = {}
    for line in open(path):
        r = json.loads(line)
        runs.setdefault(r["batch"], []).append(r)
    return {b: {k: statistics.median(r[k] for r in rs) for k in ("sentences_per_s", "tokens_per_s", "gflop_per_s")}
            for b, rs in runs.items()}
ours, peer = medians(sys.argv[1]), medians(sys.argv[2])
print("\n| batch | localrec sentences/s | candle sentences/s | localrec tokens/s | localrec GFLOP/s | ratio |")
print("|---:|---:|---:|---:|---:|---:|")
for b, r in ours.items():
    p = peer[b]
    print(f"| {b} | {r['sentences_per_s']:.1f} | {p['sentences_per_s']:.1f} | {r['tokens_per_s']:.0f} | "
          f"{r['gflop_per_s']:.1f} | {r['sentences_per_s'] / p['sentences_per_s']:.2f}× |")
PY

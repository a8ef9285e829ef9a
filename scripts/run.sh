#!/usr/bin/env bash
# The README's "run" command: fetch the model, build the command line, and show the encoder
# at work (embeds a few item texts and prints their similarities).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
ensure_model
say "building localrec"
cargo build --quiet --bin localrec
say "embedding sample texts with all-MiniLM-L6-v2 on the CPU"
./target/debug/localrec similarity "$@"

#!/usr/bin/env bash
# The README's "test" command (CI runs it through .ci/run): installs what the tests need, then
# runs every test: native specs on the CPU and on wgpu (software Vulkan), and the wasm build.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_rust
# lavapipe: a software Vulkan driver, so the wgpu code path is tested without a GPU.
ensure_apt mesa-vulkan-drivers libvulkan1
ensure_wasm_target
ensure_model

export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}  # silences a harmless wgpu warning

say "native tests (CPU flex + wgpu on Vulkan)"
cargo test --all-targets

say "building for wasm32-unknown-unknown (release)"
cargo build --lib --target wasm32-unknown-unknown --release --no-default-features
ls -la target/wasm32-unknown-unknown/release/localrec.wasm

# Shared by the README's two commands: install what is missing, nothing more.
# Sourced, not run. Every step is idempotent and quiet when there is nothing to do.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Each step's line starts with the time since the command started (mm:ss), so a slow step
# shows in a CI log. Exported: the scripts it calls count from the same start.
export LOCALREC_STARTED_AT=${LOCALREC_STARTED_AT:-$(date +%s)}
say() {
  local elapsed=$(($(date +%s) - LOCALREC_STARTED_AT))
  printf '\033[1m==> [%02d:%02d] %s\033[0m\n' $((elapsed / 60)) $((elapsed % 60)) "$*"
}

# apt packages, installed only when missing (apt-get update only then, too).
ensure_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "Rust is needed: install it with rustup (https://rustup.rs)" >&2; exit 1; }
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || { say "adding the wasm32-unknown-unknown Rust target"; rustup target add wasm32-unknown-unknown; }
}

ensure_model() {
  "$root/scripts/fetch-model.sh"
}

ensure_node_modules() {
  command -v node >/dev/null || ensure_apt nodejs npm
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/playwright-core ] \
     || [ ! -x node_modules/.bin/esbuild ] \
     || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing front-end tooling (npm ci)"
    npm ci --no-audit --no-fund --silent
  fi
}

# The wasm-bindgen CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen_cli() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (matches Cargo.lock; a few minutes, once)"
    cargo install --quiet wasm-bindgen-cli --version "$want"
  fi
}

# A Python package from PyPI (for the current user), unless its module imports already.
ensure_pip() {
  local spec=$1 module=$2
  python3 -c "import $module" 2>/dev/null && return 0
  say "installing $spec (PyPI)"
  python3 -m pip install --quiet --user "$spec"
}

ensure_chromium() {
  ensure_apt chromium
}

# The anime-5k item matrix (MiniLM vectors of every item text) the head and the page use: built
# once with the native CLI (a few minutes on the CPU, with a progress bar).
ensure_item_vectors() {
  [ -f data/anime-5k/item_vectors.safetensors ] && return 0
  say "embedding the anime-5k catalogue (7,390 items, a few minutes, once)"
  cargo run --quiet --bin localrec -- embed-catalog --dataset data/anime-5k
}

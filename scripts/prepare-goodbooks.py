#!/usr/bin/env python3
"""Builds the books catalogue (data/goodbooks-10k) from goodbooks-10k's item side
(../shared/data/goodbooks-10k-books by default). Run once; the output is committed.

  items.csv      id (book_id), title, authors, year (original publication year, an integer;
                 empty when unknown), language (language code), rating (average, 1-5),
                 ratings (how many ratings it has on Goodreads: the catalogue's popularity)
  catalog.json   the manifest: the text template the encoder reads, the shown columns, the
                 attribution and licence the page shows
  ATTRIBUTION.md, LICENSE: the source's, with what was changed. The data stays CC BY-SA 4.0.
"""
import csv
import json
import shutil
import sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/goodbooks-10k-books")
out = Path(__file__).resolve().parents[1] / "data/goodbooks-10k"
out.mkdir(parents=True, exist_ok=True)

with open(src / "books.csv", encoding="utf-8", newline="") as f:
    books = list(csv.DictReader(f))
with open(out / "items.csv", "w", encoding="utf-8", newline="") as f:
    table = csv.writer(f, lineterminator="\n")
    table.writerow(["id", "title", "authors", "year", "language", "rating", "ratings"])
    for b in sorted(books, key=lambda b: int(b["book_id"])):
        year = b["original_publication_year"]
        table.writerow([
            b["book_id"], " ".join(b["title"].split()), " ".join(b["authors"].split()),
            str(int(float(year))) if year else "", b["language_code"], b["average_rating"],
            b["ratings_count"],
        ])

attribution = ("goodbooks-10k by Zygmunt Zając (FastML), github.com/zygmuntz/goodbooks-10k: "
               "10,000 books' titles, authors and years (the item side only)")
licence = "CC BY-SA 4.0 (creativecommons.org/licenses/by-sa/4.0)"
with open(out / "catalog.json", "w", encoding="utf-8") as f:
    json.dump({
        "name": "goodbooks-10k", "title": "Books", "items": "items.csv",
        "columns": {"id": "id", "title": "title", "show": ["authors", "year"], "popularity": "ratings"},
        "text": "{title}[ by {authors}][ ({year})].",
        "attribution": attribution, "licence": licence,
    }, f, indent=2, ensure_ascii=False)
    f.write("\n")

shutil.copyfile(src / "LICENSE", out / "LICENSE")
with open(out / "ATTRIBUTION.md", "w", encoding="utf-8") as f:
    f.write((src / "ATTRIBUTION.md").read_text(encoding="utf-8").rstrip() + "\n\n"
            "## What localrec made of it (scripts/prepare-goodbooks.py)\n\n"
            "- `items.csv`: `book_id` as `id`, `title`, `authors`, `original_publication_year` as an integer\n"
            "  `year`, `language_code` as `language`, `average_rating` as `rating`, `ratings_count` as\n"
            "  `ratings` (the catalogue's popularity column); white space collapsed.\n"
            "  Everything derived from it (this folder, its item vectors, the built site's copy) is\n"
            "  CC BY-SA 4.0 with this attribution.\n")
print(f"prepare-goodbooks: {len(books)} books in {out}")

#!/usr/bin/env python3
"""Run a catalogue's build stages in shards on a Dask cluster, with the localrec binary.

The stages whose cost grows with the data run as tasks, one shard each, and a cheap merge in
one process joins their parts:

  embed       the item vectors:
    1. every shard's vectors                   localrec embed-catalog --shard i/n --part vectors-i
    2. the merge (seconds)                     localrec embed-catalog --parts …
  item-item   the item–item table, with a fixed choice (how lists are counted, k, the penalty:
              a JSON file, or an earlier table that records it; `fit-item-item` searches it on
              validation users in one process):
    1. every shard's co-occurrence counts      localrec item-item-part --shard i/n --out counts-i
    2. every shard's columns, given all counts localrec item-item-part --shard i/n --counts … --out columns-i
    3. the merge (seconds)                     localrec fit-item-item --choice … --columns …

Each result is byte-identical to the one-process command's (`embed-catalog`, `fit-item-item
--choice CHOICE`). Every worker must see the dataset folder, the binary, the model and --work
(a shared disk). Without --scheduler, a local cluster of --workers processes runs the tasks.

    python3 scripts/dask-shards.py embed --dataset data/big --shards 16 --work /shared/parts
    python3 scripts/dask-shards.py item-item --dataset data/big --choice choice.json --shards 16 \\
        --work /shared/parts --out data/big/item_item.safetensors [--scheduler tcp://host:8786]
"""

import argparse
import os
import subprocess
import sys

from dask.distributed import Client, LocalCluster


def localrec(binary, *args):
    """Runs one localrec command; its stderr becomes the error if it fails."""
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"localrec {' '.join(args)} failed:\n{done.stderr}")
    return args[-1]


def embed(client, run, part, args):
    dataset = ["--dataset", os.path.abspath(args.dataset)]
    if args.model_dir:
        dataset += ["--model-dir", os.path.abspath(args.model_dir)]
    if args.out:
        dataset += ["--out", os.path.abspath(args.out)]
    parts = client.gather(client.map(
        lambda i: run("embed-catalog", *dataset, "--shard", f"{i}/{args.shards}",
                      "--part", part("vectors", i)),
        range(args.shards), pure=False))
    run("embed-catalog", *dataset, "--parts", *parts)


def item_item(client, run, part, args):
    common = ["--dataset", os.path.abspath(args.dataset), "--choice", os.path.abspath(args.choice)]
    shards = range(args.shards)
    counts = client.gather(client.map(
        lambda i: run("item-item-part", *common, "--shard", f"{i}/{args.shards}",
                      "--out", part("counts", i)),
        shards, pure=False))
    columns = client.gather(client.map(
        lambda i: run("item-item-part", *common, "--shard", f"{i}/{args.shards}",
                      "--counts", *counts, "--out", part("columns", i)),
        shards, pure=False))
    head = ["--head", os.path.abspath(args.head)] if args.head else []
    run("fit-item-item", *common, *head, "--columns", *columns, "--out", args.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    stages = parser.add_subparsers(dest="stage", required=True)
    for name in ("embed", "item-item"):
        stage = stages.add_parser(name)
        stage.add_argument("--dataset", required=True)
        stage.add_argument("--shards", type=int, required=True)
        stage.add_argument("--work", required=True, help="a folder every worker sees, for the parts")
        stage.add_argument("--localrec", default="target/release/localrec")
        stage.add_argument("--scheduler", help="a running Dask scheduler's address")
        stage.add_argument("--workers", type=int, default=2, help="local cluster's processes")
    vectors = stages.choices["embed"]
    vectors.add_argument(
        "--out", help="the vectors file (default: the dataset's item_vectors.safetensors)")
    vectors.add_argument("--model-dir", help="the model's folder (as localrec --model-dir)")
    fit = stages.choices["item-item"]
    fit.add_argument("--choice", required=True)
    fit.add_argument("--out", required=True)
    fit.add_argument("--head", help="the head to mix with (as for fit-item-item --head)")
    args = parser.parse_args()

    binary = os.path.abspath(args.localrec)
    run = lambda *command: localrec(binary, *command)
    os.makedirs(args.work, exist_ok=True)
    part = lambda stage, i: os.path.join(os.path.abspath(args.work), f"{stage}-{i}.safetensors")
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True))
    with client:
        (embed if args.stage == "embed" else item_item)(client, run, part, args)
    print(f"{args.stage}: joined {args.shards} shards", file=sys.stderr)


if __name__ == "__main__":
    main()

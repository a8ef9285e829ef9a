#!/usr/bin/env python3
"""Fit a catalogue's item–item table in shards on a Dask cluster, with the localrec binary.

The stages whose cost grows with the data run as tasks, one item range each:

  1. every shard's co-occurrence counts      localrec item-item-part --shard i/n --out counts-i
  2. every shard's columns, given all counts  localrec item-item-part --shard i/n --counts … --out columns-i
  3. the merge (one process, seconds)         localrec fit-item-item --choice … --columns …

The choice (how lists are counted, k, the ridge penalty) is fixed: a JSON file, or an earlier
table that records it (`fit-item-item` searches it on validation users in one process). The
result is byte-identical to `localrec fit-item-item --choice CHOICE` in one process.

Every worker must see the dataset folder, the binary and --work (a shared disk). Without
--scheduler, a local cluster of --workers processes runs the tasks.

    python3 scripts/dask-item-item.py --dataset data/big --choice choice.json --shards 16 \\
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--choice", required=True)
    parser.add_argument("--shards", type=int, required=True)
    parser.add_argument("--work", required=True, help="a folder every worker sees, for the parts")
    parser.add_argument("--out", required=True)
    parser.add_argument("--localrec", default="target/release/localrec")
    parser.add_argument("--scheduler", help="a running Dask scheduler's address")
    parser.add_argument("--workers", type=int, default=2, help="local cluster's processes")
    parser.add_argument("--head", help="the head to mix with (as for fit-item-item --head)")
    args = parser.parse_args()

    binary = os.path.abspath(args.localrec)
    os.makedirs(args.work, exist_ok=True)
    part = lambda stage, i: os.path.join(os.path.abspath(args.work), f"{stage}-{i}.safetensors")
    common = ["--dataset", os.path.abspath(args.dataset), "--choice", os.path.abspath(args.choice)]

    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True)
        client = Client(cluster)
    with client:
        shards = range(args.shards)
        counts = client.gather(client.map(
            lambda i: localrec(binary, "item-item-part", *common, "--shard", f"{i}/{args.shards}",
                               "--out", part("counts", i)),
            shards, pure=False))
        columns = client.gather(client.map(
            lambda i: localrec(binary, "item-item-part", *common, "--shard", f"{i}/{args.shards}",
                               "--counts", *counts, "--out", part("columns", i)),
            shards, pure=False))
    head = ["--head", os.path.abspath(args.head)] if args.head else []
    localrec(binary, "fit-item-item", *common, *head, "--columns", *columns, "--out", args.out)
    print(f"wrote {args.out} from {args.shards} shards", file=sys.stderr)


if __name__ == "__main__":
    main()

"""The Dask recipe (scripts/dask-item-item.py) on a local cluster of two processes: a sharded
item–item fit of a small synthetic catalogue is byte-identical to one process's fit of the same
choice. Seconds: run by scripts/test.sh after the native tests built target/debug/localrec."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "debug", "localrec")


def run(*args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stderr}")
    return done


class ShardedFit(unittest.TestCase):
    def test_shards_on_dask_equal_one_process(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "catalogue")
            run(BINARY, "synthetic-catalog", "--items", "600", "--users", "3000",
                "--interactions", "40000", "--seed", "3", "--out", data)
            # A cap below the longest lists, so capping is part of what the shards must agree on.
            choice = os.path.join(tmp, "choice.json")
            with open(choice, "w") as f:
                json.dump({"count": {"cap": 40, "candidates": 48, "exponent": 0.5}, "k": 16,
                           "penalty": {"lambda": 20.0, "popularity": 0.1}}, f)
            one = os.path.join(tmp, "one.safetensors")
            run(BINARY, "fit-item-item", "--dataset", data, "--choice", choice, "--out", one)
            sharded = os.path.join(tmp, "sharded.safetensors")
            work = os.path.join(tmp, "parts")
            run(sys.executable, os.path.join(ROOT, "scripts", "dask-item-item.py"),
                "--dataset", data, "--choice", choice, "--shards", "3", "--work", work,
                "--out", sharded, "--localrec", BINARY)
            self.assertEqual(sorted(os.listdir(work)),
                             [f"{stage}-{i}.safetensors" for stage in ("columns", "counts")
                              for i in range(3)])
            with open(one, "rb") as a, open(sharded, "rb") as b:
                one_bytes, sharded_bytes = a.read(), b.read()
            self.assertGreater(len(one_bytes), 20_000, "a table with weights")
            self.assertEqual(one_bytes, sharded_bytes)


if __name__ == "__main__":
    unittest.main()

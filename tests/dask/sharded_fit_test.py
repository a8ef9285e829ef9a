"""The Dask recipe (scripts/dask-shards.py) on a local cluster of two processes: a small
synthetic catalogue's item vectors embedded in shards, and its item–item table fitted in
shards, are byte-identical to one process's (the table for the same choice); a missing shard's
part is a named error. Seconds: run by scripts/test.sh after the native tests built
target/debug/localrec (the model in models/all-MiniLM-L6-v2)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "debug", "localrec")
MODEL = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
RECIPE = os.path.join(ROOT, "scripts", "dask-shards.py")


def run(*args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stderr}")
    return done


def synthetic(tmp, items, users, interactions):
    """A seeded synthetic catalogue in tmp/catalogue."""
    data = os.path.join(tmp, "catalogue")
    run(BINARY, "synthetic-catalog", "--items", str(items), "--users", str(users),
        "--interactions", str(interactions), "--seed", "3", "--out", data)
    return data


class ShardedFit(unittest.TestCase):
    def assertSameBytes(self, one, sharded, at_least):
        with open(one, "rb") as a, open(sharded, "rb") as b:
            one_bytes, sharded_bytes = a.read(), b.read()
        self.assertGreater(len(one_bytes), at_least, "a file with its numbers")
        self.assertEqual(one_bytes, sharded_bytes)

    def test_shards_on_dask_equal_one_process(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = synthetic(tmp, 600, 3000, 40000)
            # A cap below the longest lists, so capping is part of what the shards must agree on.
            choice = os.path.join(tmp, "choice.json")
            with open(choice, "w") as f:
                json.dump({"count": {"cap": 40, "candidates": 48, "exponent": 0.5}, "k": 16,
                           "penalty": {"lambda": 20.0, "popularity": 0.1}}, f)
            one = os.path.join(tmp, "one.safetensors")
            run(BINARY, "fit-item-item", "--dataset", data, "--choice", choice, "--out", one)
            sharded = os.path.join(tmp, "sharded.safetensors")
            work = os.path.join(tmp, "parts")
            run(sys.executable, RECIPE, "item-item",
                "--dataset", data, "--choice", choice, "--shards", "3", "--work", work,
                "--out", sharded, "--localrec", BINARY)
            self.assertEqual(sorted(os.listdir(work)),
                             [f"{stage}-{i}.safetensors" for stage in ("columns", "counts")
                              for i in range(3)])
            self.assertSameBytes(one, sharded, 20_000)

    def test_embedding_in_shards_on_dask_equals_one_process(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = synthetic(tmp, 90, 200, 2000)
            one = os.path.join(tmp, "one.safetensors")
            run(BINARY, "--model-dir", MODEL, "embed-catalog", "--dataset", data, "--out", one)
            sharded = os.path.join(tmp, "sharded.safetensors")
            work = os.path.join(tmp, "parts")
            run(sys.executable, RECIPE, "embed", "--dataset", data, "--model-dir", MODEL,
                "--out", sharded, "--shards", "3", "--work", work, "--localrec", BINARY)
            parts = sorted(os.path.join(work, name) for name in os.listdir(work))
            self.assertEqual([os.path.basename(p) for p in parts],
                             [f"vectors-{i}.safetensors" for i in range(3)])
            self.assertSameBytes(one, sharded, 90 * 384 * 2)
            # Without one shard's part the merge embeds nothing and names what is missing.
            missing = subprocess.run(
                [BINARY, "--model-dir", MODEL, "embed-catalog", "--dataset", data,
                 "--out", os.path.join(tmp, "partial.safetensors"), "--parts", *parts[:2]],
                capture_output=True, text=True)
            self.assertNotEqual(missing.returncode, 0)
            self.assertIn("a shard is missing", missing.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "partial.safetensors")))


if __name__ == "__main__":
    unittest.main()

// The item–item rows' shards in the worker (www/item-item-rows.js), on a fake network and a fake
// Cache API: a shard is fetched once, checked and kept; a damaged cached copy is never used; a
// damaged download is a 'checksum' error and is not kept; an earlier build's shards are dropped.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { ROWS_CACHE, forgetOldShards, loadShard, shardFiles } from '../../www/item-item-rows.js';
import { readSite } from '../../www/site.js';
import { fakeBrowser as fakeNetwork } from './fake-browser.mjs';

const SITE = 'https://example.org/demo/';
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const rows = [new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6, 7])];
const manifest = {
  format: 'localrec-site',
  version: 1,
  catalogs: [{
    name: 'anime', path: 'catalogs/anime/', files: {},
    itemItemShards: [{ file: 'item_item/aa.safetensors', rows: [0, 10] }, { file: 'item_item/bb.safetensors', rows: [10, 25] }],
  }],
  files: rows.map((bytes, k) => ({ path: `catalogs/anime/item_item/${['aa', 'bb'][k]}.safetensors`, bytes: bytes.length, sha256: sha(bytes) })),
};

const fakeBrowser = (served) => fakeNetwork(served, ROWS_CACHE);

test('a shard is downloaded once, checked and kept; a damaged copy is never used', async () => {
  const site = readSite(manifest, SITE);
  const files = shardFiles(site, manifest.catalogs[0]);
  assert.deepEqual(files.map((f) => f.url), [`${SITE}catalogs/anime/item_item/aa.safetensors`, `${SITE}catalogs/anime/item_item/bb.safetensors`]);
  assert.match(files[1].name, /item–item rows of items 11–25/);

  const { requests, store } = fakeBrowser(new Map(files.map((f, k) => [f.url, rows[k]])));
  assert.deepEqual(await loadShard(files[0]), { bytes: rows[0], fromCache: false });
  assert.deepEqual(await loadShard(files[0]), { bytes: rows[0], fromCache: true });
  assert.equal(requests.length, 1, 'the second read is the cache');

  // A cached copy that went bad is dropped and downloaded again.
  store.set(files[0].url, new Uint8Array([9, 9, 9, 9]));
  assert.deepEqual(await loadShard(files[0]), { bytes: rows[0], fromCache: false });
  assert.equal(requests.length, 2);

  // A download that fails its sha256 is named and not kept; offline is 'network'.
  fakeBrowser(new Map([[files[1].url, new Uint8Array([5, 6, 8])]]));
  await assert.rejects(loadShard(files[1]), (e) => e.code === 'checksum' && /rows of items 11–25 .* is corrupted/.test(e.message));
  const offline = fakeBrowser(new Map());
  await assert.rejects(loadShard(files[1]), (e) => e.code === 'network' && /could not download the item–item rows/.test(e.message));
  assert.equal(offline.store.size, 0);
});

test("an earlier build's shards are dropped from the cache, and no other catalogue's", async () => {
  const site = readSite(manifest, SITE);
  const files = shardFiles(site, manifest.catalogs[0]);
  const { store } = fakeBrowser(new Map());
  const kept = [files[0].url, `${SITE}catalogs/books/item_item/old.safetensors`];
  for (const url of [...kept, `${SITE}catalogs/anime/item_item/old.safetensors`]) store.set(url, new Uint8Array(1));
  await forgetOldShards(`${SITE}catalogs/anime/`, files);
  assert.deepEqual([...store.keys()].sort(), kept.sort());
});

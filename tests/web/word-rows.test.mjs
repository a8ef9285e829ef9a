// The language model's word rows by need in the worker (www/word-rows.js), on a fake network, a
// fake Cache API and a fake engine: only the shards a text lacks are fetched, checked and kept in
// their own cache; one that cannot be had fails the request after the others are added (a retry
// fetches the rest); the f32 weights hold their table.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { WORDS_CACHE, addWords, forgetOldWords, wordShardFiles } from '../../www/word-rows.js';
import { readSite } from '../../www/site.js';
import { fakeBrowser as fakeNetwork } from './fake-browser.mjs';

const SITE = 'https://example.org/demo/';
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const shards = [new Uint8Array([1, 2]), new Uint8Array([3, 4, 5]), new Uint8Array([6])];
const names = ['aa', 'bb', 'cc'];
const manifest = {
  format: 'localrec-site',
  version: 1,
  catalogs: [{ name: 'anime', path: 'catalogs/anime/', files: {} }],
  model: {
    path: 'models/m/', files: ['config.json', 'tokenizer.json', 'model.int8.safetensors'],
    weights: { int8: 'model.int8.safetensors', f32: 'model.safetensors' },
    wordShards: names.map((name, k) => ({ file: `words/${name}.safetensors`, rows: [128 * k, 128 * (k + 1)] })),
  },
  files: shards.map((bytes, k) => ({ path: `models/m/words/${names[k]}.safetensors`, bytes: bytes.length, sha256: sha(bytes) })),
};

const fakeBrowser = (served) => fakeNetwork(served, WORDS_CACHE);

/** An engine whose texts need the shards `needs[text]`; it keeps what is added. */
function fakeEngine(needs) {
  const added = [];
  return {
    added,
    missingWordShards: (texts) => Uint32Array.from(new Set(texts.flatMap((t) => needs[t]).filter((s) => !added.includes(s)))),
    addWordShard: (bytes) => { added.push(shards.findIndex((s) => sha(s) === sha(bytes))); },
  };
}

test('only the shards a text lacks are fetched, checked, kept and added', async () => {
  const site = readSite(manifest, SITE);
  assert.deepEqual(wordShardFiles(site, 'f32'), [], 'the f32 weights hold their table');
  const files = wordShardFiles(site, 'int8');
  assert.deepEqual(files.map((f) => f.url), names.map((n) => `${SITE}models/m/words/${n}.safetensors`));
  assert.match(files[1].name, /the language model's words 128–255/);

  const { requests, store } = fakeBrowser(new Map(files.map((f, k) => [f.url, shards[k]])));
  const engine = fakeEngine({ robots: [0, 2], 'space robots': [0, 1, 2] });
  const first = await addWords(engine, files, ['robots']);
  assert.deepEqual({ shards: first.shards, bytes: first.bytes, fromCache: first.fromCache }, { shards: 2, bytes: 3, fromCache: false });
  assert.deepEqual(engine.added, [0, 2]);
  assert.equal((await addWords(engine, files, ['space robots'])).shards, 1, 'only the one it lacks');
  assert.deepEqual(requests, [files[0].url, files[2].url, files[1].url]);
  assert.equal(store.size, 3);
  // A fresh engine (a restarted worker) reads them from the cache.
  const again = fakeEngine({ robots: [0, 2] });
  assert.equal((await addWords(again, files, ['robots'])).fromCache, true);
  assert.equal(requests.length, 3);
});

test('a shard that cannot be had fails the request after the others are added', async () => {
  const site = readSite(manifest, SITE);
  const files = wordShardFiles(site, 'int8');
  // Shard 1 is damaged on the way: a 'checksum' error naming the words; shard 0 is added.
  fakeBrowser(new Map([[files[0].url, shards[0]], [files[1].url, new Uint8Array([3, 4, 6])]]));
  const engine = fakeEngine({ robots: [0, 1] });
  await assert.rejects(addWords(engine, files, ['robots']), (e) => e.code === 'checksum' && /words 128–255/.test(e.message));
  assert.deepEqual(engine.added, [0]);
  // Offline: 'network'; back online, only the rest is fetched.
  fakeBrowser(new Map());
  await assert.rejects(addWords(engine, files, ['robots']), (e) => e.code === 'network');
  const { requests } = fakeBrowser(new Map(files.map((f, k) => [f.url, shards[k]])));
  await addWords(engine, files, ['robots']);
  assert.deepEqual(requests, [files[1].url]);
  assert.deepEqual(engine.added, [0, 1]);
});

test("an earlier build's word shards are dropped from their cache", async () => {
  const site = readSite(manifest, SITE);
  const files = wordShardFiles(site, 'int8');
  const { store } = fakeBrowser(new Map());
  for (const url of [files[0].url, `${SITE}models/m/words/old.safetensors`]) store.set(url, new Uint8Array(1));
  await forgetOldWords(site, files);
  assert.deepEqual([...store.keys()], [files[0].url]);
});

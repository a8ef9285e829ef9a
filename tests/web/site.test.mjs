// site.js: the model's files for each choice of weights (int8 by default, f32 on request), a
// catalogue with the head's item table may leave its text vectors for later, and what loading
// the language model downloads.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { catalogFiles, encoderBytes, findCatalog, modelFiles, readSite } from '../../www/site.js';

const file = (path) => ({ path, bytes: 1, sha256: '0'.repeat(64) });
const manifest = {
  format: 'localrec-site',
  version: 1,
  catalogs: [
    { name: 'a', path: 'catalogs/a/', files: { manifest: 'catalog.json', items: 'items.csv', itemTable: 't.safetensors', textVectors: 'v.safetensors' } },
    { name: 'b', path: 'catalogs/b/', files: { manifest: 'catalog.json', items: 'items.csv' } },
  ],
  model: {
    path: 'models/m/',
    files: ['config.json', 'tokenizer.json', 'model.int8.safetensors'],
    weights: { int8: 'model.int8.safetensors', f32: 'model.safetensors' },
  },
  files: ['catalogs/a/catalog.json', 'catalogs/a/items.csv', 'catalogs/a/t.safetensors', 'catalogs/a/v.safetensors',
    'catalogs/b/catalog.json', 'catalogs/b/items.csv', 'models/m/config.json', 'models/m/tokenizer.json',
    'models/m/model.int8.safetensors', 'models/m/model.safetensors'].map(file),
};
const site = readSite(manifest, 'http://example.test/demo/');

test('int8 weights by default, f32 on request, never a mix', () => {
  assert.deepEqual(modelFiles(site).map((f) => f.name), ['config.json', 'tokenizer.json', 'model.int8.safetensors']);
  assert.deepEqual(modelFiles(site, 'int8').map((f) => f.url), modelFiles(site).map((f) => f.url));
  const f32 = modelFiles(site, 'f32');
  assert.deepEqual(f32.map((f) => f.name), ['config.json', 'tokenizer.json', 'model.safetensors']);
  assert.equal(f32[2].url, 'http://example.test/demo/models/m/model.safetensors');
  assert.throws(() => modelFiles(site, 'f16'), /unknown model weights/);
  const old = readSite({ ...manifest, model: { path: 'models/m/', files: manifest.model.files } }, 'http://example.test/');
  assert.throws(() => modelFiles(old, 'f32'), /no f32 weights/);
});

test('a catalogue needs its text vectors only without the item table', () => {
  assert.deepEqual(Object.keys(catalogFiles(site, findCatalog(site, 'a'))).sort(), ['itemTable', 'items', 'manifest', 'textVectors']);
  assert.throws(() => catalogFiles(site, findCatalog(site, 'b')), /no textVectors file/);
});

test("the language model's download: its files, and the text vectors where the first list left them", () => {
  const sized = (path, bytes) => ({ ...file(path), bytes });
  const withSizes = readSite({
    ...manifest,
    catalogs: [{ ...manifest.catalogs[0], files: { ...manifest.catalogs[0].files, adapter: 'adapter.safetensors' } }, manifest.catalogs[1]],
    files: [...manifest.files.filter((f) => !f.path.endsWith('v.safetensors') && !f.path.startsWith('models/')),
      sized('catalogs/a/v.safetensors', 1000), sized('catalogs/a/adapter.safetensors', 100), sized('catalogs/b/v.safetensors', 7),
      sized('models/m/config.json', 1), sized('models/m/tokenizer.json', 10), sized('models/m/model.int8.safetensors', 10000),
      sized('models/m/model.safetensors', 40000)],
  }, 'http://example.test/');
  assert.equal(encoderBytes(withSizes, findCatalog(withSizes, 'a')), 10011 + 1000 + 100);
  assert.equal(encoderBytes(withSizes, findCatalog(withSizes, 'a'), 'f32'), 40011 + 1000 + 100);
  // A text-only catalogue's first list needs its vectors: they come with it, not with the model.
  const textOnly = { ...manifest.catalogs[1], files: { ...manifest.catalogs[1].files, textVectors: 'v.safetensors' } };
  assert.equal(encoderBytes(withSizes, textOnly), 10011);
});

test('listed says whether the manifest has a file, where entry would throw', () => {
  assert.equal(site.listed('catalogs/a/items.csv'), true);
  assert.equal(site.entry('catalogs/a/items.csv').url, 'http://example.test/demo/catalogs/a/items.csv');
  assert.equal(site.listed('pkg/localrec_bg.wasm'), false);
  assert.throws(() => site.entry('pkg/localrec_bg.wasm'), /does not list pkg\/localrec_bg.wasm/);
});

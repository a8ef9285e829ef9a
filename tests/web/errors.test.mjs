// The library's error contract: every failure a LocalRecError with a `name` and a `code` from
// the union that localrec.d.ts documents, the worker's failures included; methods that return a
// promise reject, never throw; the declarations use camelCase and shadow no DOM global.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { ERROR_CODES, LocalRecError, asLocalRecError } from '../../www/errors.js';
import { EngineClient } from '../../www/engine-client.js';
import { ImportError } from '../../www/history-file.js';
import { LocalRec } from '../../www/localrec.js';
import { SiteError } from '../../www/site.js';

const declarations = readFileSync(new URL('../../www/localrec.d.ts', import.meta.url), 'utf8');

test('the codes are the union that localrec.d.ts documents', () => {
  const union = declarations.match(/export type LocalRecErrorCode =([^;]*);/)[1];
  const declared = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(declared, Object.keys(ERROR_CODES).sort());
  for (const code of declared) assert.ok(declarations.includes(`'${code}'`), code);
});

test('an error has a name and a known code; others are made into one', () => {
  const error = new LocalRecError('checksum', 'bad bytes');
  assert.equal(error.name, 'LocalRecError');
  assert.equal(String(error), 'LocalRecError: bad bytes');
  assert.equal(new LocalRecError('no-such-code', 'x').code, 'failed');
  const fromWorker = asLocalRecError(Object.assign(new Error('HTTP 404'), { code: 'network' }));
  assert.ok(fromWorker instanceof LocalRecError);
  assert.equal(fromWorker.code, 'network');
  assert.equal(asLocalRecError(new TypeError('boom')).code, 'failed');
  assert.equal(asLocalRecError(new DOMException('stop', 'AbortError')).code, 'aborted');
  assert.equal(asLocalRecError(new Error('quota'), 'storage').code, 'storage');
  assert.equal(asLocalRecError(error), error, 'one already is');
});

test('SiteError and ImportError are LocalRecErrors with their own names', () => {
  const site = new SiteError('no site.json');
  assert.ok(site instanceof LocalRecError);
  assert.deepEqual([site.name, site.code], ['SiteError', 'site']);
  const refused = new ImportError('not JSON', { catalog: 'b' });
  assert.ok(refused instanceof LocalRecError);
  assert.deepEqual([refused.name, refused.code, refused.catalog], ['ImportError', 'import', 'b']);
});

test("the worker's failures arrive as LocalRecErrors with the worker's code", async () => {
  const replies = [];
  globalThis.Worker = class {
    postMessage({ id }) {
      const reply = replies.shift();
      if (reply) queueMicrotask(() => this.onmessage({ data: reply(id) }));
    }

    terminate() {}
  };
  try {
    const client = new EngineClient(null, null, 'worker.js');
    replies.push((id) => ({ id, ok: false, error: { code: 'checksum', message: 'items.csv is corrupted' } }));
    await assert.rejects(client.request('open'), (error) => error instanceof LocalRecError && error.code === 'checksum'
      && error.message === 'items.csv is corrupted');
    // A worker that fails to start (a 404 script, a trap) fails its requests as 'crashed'.
    const crashing = new EngineClient(null, () => {}, 'missing-worker.js');
    const request = crashing.request('open');
    crashing.worker.onerror({ message: '' });
    await assert.rejects(request, (error) => error instanceof LocalRecError && error.code === 'crashed'
      && /missing-worker\.js/.test(error.message));
  } finally {
    delete globalThis.Worker;
  }
});

test('methods typed as promises reject with a LocalRecError, never throw', async () => {
  const promised = [...declarations.matchAll(/^  (\w+)\([^)]*\): Promise</gm)].map((m) => m[1]);
  assert.ok(promised.includes('react') && promised.includes('recommend'), promised.join());
  const notOpened = Object.create(LocalRec.prototype); // no engine, no profile: every call fails
  for (const name of promised) {
    let result;
    assert.doesNotThrow(() => { result = notOpened[name]('x', 'like'); }, name);
    assert.ok(result instanceof Promise, name);
    await assert.rejects(result, (error) => error instanceof LocalRecError, name);
  }
  await assert.rejects(LocalRec.open({ backend: 'quantum' }), (error) => error instanceof LocalRecError && error.code === 'bad-request');
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(LocalRec.open({ signal: stop.signal }), (error) => error instanceof LocalRecError && error.code === 'aborted');
});

test('the declarations use camelCase and shadow no DOM global', () => {
  const fields = [...declarations.matchAll(/^\s+(?:readonly )?([A-Za-z_]+)\??:/gm)].map((m) => m[1]);
  assert.deepEqual(fields.filter((f) => f.includes('_')), []);
  for (const global of ['ProgressEvent', 'Storage', 'Event', 'Request', 'Response', 'Plugin']) {
    assert.doesNotMatch(declarations, new RegExp(`export (interface|type|declare class) ${global}\\b`), global);
  }
});

test("an aborted model download fails as 'aborted', not as a network error", async () => {
  const { fetchVerified, loadModelFiles } = await import('../../www/model-cache.js');
  const file = { name: 'model.safetensors', url: 'http://127.0.0.1:9/model.safetensors', bytes: 4, sha256: '0'.repeat(64) };
  const signal = AbortSignal.abort();
  await assert.rejects(fetchVerified(file, () => {}, { signal }), (error) => error.code === 'aborted' && asLocalRecError(error).code === 'aborted');
  await assert.rejects(loadModelFiles([file], 'test', { onProgress: () => {}, signal }), (error) => error.code === 'aborted');
  // Without a signal the same address is a network error.
  await assert.rejects(fetchVerified(file), (error) => error.code === 'network');
});

test('a download queued behind another waits for it; a copy in the cache does not', async () => {
  const { cachedOrDownloaded } = await import('../../www/model-cache.js');
  const bytes = new Uint8Array([1, 2, 3]);
  const file = { name: 'vectors', url: 'https://example.org/vectors', bytes: 3, sha256: createHash('sha256').update(bytes).digest('hex') };
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => { fetched.push(String(url)); return new Response(bytes.slice()); };
  try {
    let release;
    const before = new Promise((resolve) => { release = resolve; });
    const download = cachedOrDownloaded(null, file, () => {}, { downloadAfter: before });
    await new Promise((resolve) => { setTimeout(resolve, 20); });
    assert.deepEqual(fetched, [], 'nothing is fetched before the file ahead is in');
    release();
    assert.deepEqual((await download).bytes, bytes);
    assert.deepEqual(fetched, [file.url]);

    // The cached copy is used at once, whatever is ahead.
    const cache = { match: async () => new Response(bytes.slice()), put: async () => {}, delete: async () => {} };
    const got = await cachedOrDownloaded(cache, file, () => {}, { downloadAfter: new Promise(() => {}) });
    assert.deepEqual([got.bytes, got.fromCache], [bytes, true]);
    // The file ahead failing fails this one, and nothing is fetched.
    await assert.rejects(cachedOrDownloaded(null, file, () => {}, { downloadAfter: Promise.reject(new Error('ahead failed')) }), /ahead failed/);
    assert.equal(fetched.length, 1);
  } finally {
    globalThis.fetch = realFetch;
  }
});

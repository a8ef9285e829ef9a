// A fake network and Cache API for the worker's shard modules' tests (item-item-rows.js,
// word-rows.js).

import assert from 'node:assert/strict';

/**
 * A network serving `served` (url → bytes) that counts requests, and an in-memory Cache API
 * whose only cache is `cacheName`. → `{requests, store}` (store: url → bytes).
 */
export function fakeBrowser(served, cacheName) {
  const requests = [];
  globalThis.fetch = async (url) => {
    requests.push(String(url));
    const bytes = served.get(String(url));
    if (!bytes) throw new TypeError('Failed to fetch');
    return new Response(bytes.slice());
  };
  const store = new Map();
  const cache = {
    match: async (url) => (store.has(url) ? new Response(store.get(url).slice()) : undefined),
    put: async (url, response) => { store.set(url, new Uint8Array(await response.arrayBuffer())); },
    delete: async (request) => store.delete(typeof request === 'string' ? request : request.url),
    keys: async () => [...store.keys()].map((url) => ({ url })),
  };
  globalThis.caches = { open: async (name) => { assert.equal(name, cacheName); return cache; } };
  return { requests, store };
}

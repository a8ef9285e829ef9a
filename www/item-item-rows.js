// Lazy item–item rows. A catalogue's item–item table comes as an index, loaded with the
// catalogue (the mix and the popularity counts: all a new person's list needs), and its rows in
// shards by item range (site.json's `itemItemShards`), fetched when a reaction needs a row that
// is not here: a person downloads the rows of what they reacted to, not the whole table. Each
// shard is checked against the size and sha256 that site.json lists (a mismatch is a 'checksum'
// or 'size' error, never rows added), kept in the Cache API so that it is read locally, also
// offline, ever after (its name is its content's hash, so a cached copy never goes stale), and
// held in the engine's memory once added. Runs in the worker. The language model's word rows
// come the same way (word-rows.js), in a cache of their own.

import { cachedOrDownloaded, openCache } from './model-cache.js';
import { SiteError } from './site.js';

export const ROWS_CACHE = 'localrec-item-item-rows';

/**
 * The catalogue's shards, in the index's order: `[{name, path, url, bytes, sha256}]` (empty
 * when its table comes whole, or it has none). `name` says what the rows are, for messages.
 */
export function shardFiles(site, catalog) {
  const shards = catalog.itemItemShards ?? [];
  if (!Array.isArray(shards)) throw new SiteError(`the catalogue ${catalog.name}'s itemItemShards is not a list`);
  return shards.map(({ file, rows }) => {
    const entry = site.entry(`${catalog.path}${file}`);
    const which = Array.isArray(rows) ? `items ${rows[0] + 1}–${rows[1]}` : file;
    return { ...entry, name: `the item–item rows of ${which} (${entry.path})` };
  });
}

/**
 * Shard `file`'s bytes: from the cache `cacheName` when there and intact (a damaged copy is
 * dropped), else downloaded, checked and cached. → `{bytes, fromCache}`; rejects with code
 * 'network', 'size' or 'checksum' (model-cache.js's errors), the message naming the rows.
 */
export async function loadShard(file, cacheName = ROWS_CACHE) {
  const { bytes, fromCache, stored } = await cachedOrDownloaded(await openCache(cacheName), file);
  // Stored before the rows are used, so that a list seen once is there offline.
  await stored;
  return { bytes, fromCache };
}

/**
 * Fetches the shards `missing` (indices into `files`) and gives each one's bytes to `add` (the
 * engine's), also those that came when another failed: a retry fetches only the rest.
 * → `{shards, bytes, fromCache, millis}`; rejects with the first failure (code 'network', 'size'
 * or 'checksum').
 */
export async function addShards(missing, files, add, cacheName = ROWS_CACHE) {
  const started = performance.now();
  const settled = await Promise.allSettled(Array.from(missing, (shard) => loadShard(files[shard], cacheName)));
  const loaded = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  for (const { bytes } of loaded) add(bytes);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return {
    shards: missing.length,
    bytes: loaded.reduce((sum, { bytes }) => sum + bytes.length, 0),
    fromCache: loaded.every(({ fromCache }) => fromCache),
    millis: performance.now() - started,
  };
}

/**
 * Drops shards cached in `cacheName` under the folder `folderUrl` that `files` (the site's
 * current shards there) no longer lists: an earlier build's rows. Never rejects.
 */
export async function forgetOldShards(folderUrl, files, cacheName = ROWS_CACHE) {
  try {
    const cache = await openCache(cacheName);
    if (!cache) return;
    const current = new Set(files.map((file) => file.url));
    for (const request of await cache.keys()) {
      if (request.url.startsWith(folderUrl) && !current.has(request.url)) await cache.delete(request);
    }
  } catch {
    // Only tidying: the cache may be gone or refuse.
  }
}

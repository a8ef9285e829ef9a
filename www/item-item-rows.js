// Lazy item–item rows. A catalogue's item–item table comes as an index, loaded with the
// catalogue (the mix and the popularity counts: all a new person's list needs), and its rows in
// shards by item range (site.json's `itemItemShards`), fetched when a reaction needs a row that
// is not here: a person downloads the rows of what they reacted to, not the whole table. Each
// shard is checked against the size and sha256 that site.json lists (a mismatch is a 'checksum'
// or 'size' error, never rows added), kept in the Cache API so that it is read locally, also
// offline, ever after (its name is its content's hash, so a cached copy never goes stale), and
// held in the engine's memory once added. Runs in the worker.

import { fetchVerified, sha256Hex } from './model-cache.js';
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

async function openCache() {
  // The Cache API can be missing (some private modes) or refuse: then the rows are downloaded.
  try {
    return await caches.open(ROWS_CACHE);
  } catch {
    return null;
  }
}

/**
 * Shard `file`'s bytes: from the cache when there and intact (a damaged copy is dropped), else
 * downloaded, checked and cached. → `{bytes, fromCache}`; rejects with code 'network', 'size'
 * or 'checksum' (model-cache.js's errors), the message naming the rows.
 */
export async function loadShard(file) {
  const cache = await openCache();
  const cached = cache && (await cache.match(file.url).catch(() => null));
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (bytes.length === file.bytes && (await sha256Hex(bytes)) === file.sha256) return { bytes, fromCache: true };
    await cache.delete(file.url).catch(() => {});
  }
  // Not the HTTP cache: the checked copy is kept here, and a damaged one must not come back.
  const bytes = await fetchVerified(file, undefined, { cache: 'no-store' });
  // Stored before the rows are used, so that a list seen once is there offline. Storage full or
  // denied: keep working from memory; the next visit downloads again.
  await cache?.put(file.url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => {});
  return { bytes, fromCache: false };
}

/**
 * Drops cached shards of the catalogue whose folder is `folderUrl` that `files` (the site's
 * current shards) no longer lists: an earlier build's rows. Never rejects.
 */
export async function forgetOldShards(folderUrl, files) {
  try {
    const cache = await openCache();
    if (!cache) return;
    const current = new Set(files.map((file) => file.url));
    for (const request of await cache.keys()) {
      if (request.url.startsWith(folderUrl) && !current.has(request.url)) await cache.delete(request);
    }
  } catch {
    // Only tidying: the cache may be gone or refuse.
  }
}

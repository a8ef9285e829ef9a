// Fetches the site's files with byte progress and checks each against the size and sha256 that
// the site's manifest (site.json) lists. Progress counts the response body's bytes, which fetch
// gives decoded: a transfer sent compressed (Content-Encoding) counts what it decodes to, against
// the listed size, so the bar never overruns nor stalls (a compressed Content-Length is never used). The model's files are kept in the Cache API, so later
// visits read them locally (a damaged entry is dropped and downloaded again); the catalogue's
// files go through the HTTP cache and the service worker. Runs in the worker (fetch, caches
// and crypto.subtle are all available there).

import { gunzipped } from './gzip-copies.js';

export class ModelLoadError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(body, file, onBytes) {
  const out = new Uint8Array(file.bytes);
  let loaded = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > out.length) {
      await reader.cancel().catch(() => {});
      throw new ModelLoadError('size', `${file.name} is larger than the ${file.bytes} bytes the site lists`);
    }
    out.set(value, loaded);
    loaded += value.length;
    onBytes(loaded);
  }
  if (loaded !== out.length) {
    throw new ModelLoadError('size', `${file.name} has ${loaded} bytes; the site lists ${file.bytes}`);
  }
  return out;
}

async function checkHash(file, bytes) {
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new ModelLoadError(
      'checksum',
      `${file.name} is corrupted: its sha256 is ${actual.slice(0, 16)}…, expected ${file.sha256.slice(0, 16)}…`,
    );
  }
}

/**
 * Downloads `file` (`{name, url, bytes, sha256, gzipUrl?}`) and checks it; `onBytes(loaded)` as
 * bytes arrive. `cache`: the fetch's cache mode; `signal` stops it (code 'aborted'). With a
 * `gzipUrl` (a host that sends files as they are, see gzip-copies.js) the build's `.gz` copy
 * comes first, decoded here; if it fails in any way the file itself is fetched.
 */
export async function fetchVerified(file, onBytes = () => {}, { cache = 'default', signal = undefined } = {}) {
  if (file.gzipUrl) {
    try {
      return await download(file, file.gzipUrl, onBytes, { cache, signal });
    } catch (error) {
      if (error.code === 'aborted') throw error;
      onBytes(0); // starts again, from the file itself
    }
  }
  return download(file, file.url, onBytes, { cache, signal });
}

async function download(file, url, onBytes, { cache, signal }) {
  const failed = (error) => (signal?.aborted
    ? new ModelLoadError('aborted', `the download of ${file.name} was aborted`)
    : new ModelLoadError('network', `could not download ${file.name}: ${error.message}`));
  let response;
  try {
    response = await fetch(url, { cache, signal });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) {
    throw new ModelLoadError('network', `could not download ${file.name}: HTTP ${response.status}`);
  }
  let bytes;
  try {
    const body = url === file.gzipUrl ? await gunzipped(response.body) : response.body;
    bytes = await readWithProgress(body, file, onBytes);
  } catch (error) {
    throw signal?.aborted ? failed(error) : error;
  }
  await checkHash(file, bytes);
  return bytes;
}

/**
 * Progress over a set of files: `report(file, loaded, source)` calls `onProgress({file, loaded,
 * total, overallLoaded, overallTotal, source})`.
 */
export function progressOver(files, onProgress) {
  const overallTotal = files.reduce((sum, f) => sum + f.bytes, 0);
  const loadedByFile = new Map(files.map((f) => [f.name, 0]));
  return (file, loaded, source) => {
    loadedByFile.set(file.name, loaded);
    let overallLoaded = 0;
    for (const value of loadedByFile.values()) overallLoaded += value;
    onProgress({ file: file.name, loaded, total: file.bytes, overallLoaded, overallTotal, source });
  };
}

/** The Cache API's `name`, or null where it is missing (e.g. some private modes) or refuses: then files are just downloaded. */
export async function openCache(name) {
  try {
    return await caches.open(name);
  } catch {
    return null;
  }
}

/**
 * `file` from `cache` when it is there and intact (a damaged entry is dropped, never used),
 * else downloaded (not through the HTTP cache: the checked copy is kept here, and a damaged
 * one must not come back), checked and put in `cache`. → `{bytes, fromCache, stored}`, where
 * `stored` settles once the bytes are kept (storage full or denied: kept in memory only, the
 * next visit downloads again). `onBytes(loaded)` as bytes arrive; `signal` stops it; a
 * download waits for `downloadAfter` (a promise; its rejection is this one's), a copy in the
 * cache does not.
 */
export async function cachedOrDownloaded(cache, file, onBytes = () => {}, { signal, downloadAfter } = {}) {
  const cached = cache && (await cache.match(file.url).catch(() => null));
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    if (bytes.length === file.bytes && (await sha256Hex(bytes)) === file.sha256) {
      return { bytes, fromCache: true, stored: Promise.resolve() };
    }
    await cache.delete(file.url).catch(() => {});
  }
  await downloadAfter;
  const bytes = await fetchVerified(file, onBytes, { cache: 'no-store', signal });
  const stored = cache?.put(file.url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => {});
  return { bytes, fromCache: false, stored: stored ?? Promise.resolve() };
}

/**
 * Loads the model's files (`[{name, url, bytes, sha256}]`) from the Cache API `cacheName`, or
 * downloads, checks and caches them. Resolves to `{files: {name: Uint8Array}, fromCache}`.
 * `report`: a `progressOver` shared with other downloads (default: over these files, calling
 * `onProgress`); `signal` stops the downloads (code 'aborted'); downloads wait for
 * `downloadAfter` (see `cachedOrDownloaded`).
 */
export async function loadModelFiles(files, cacheName, {
  onProgress = null, report = progressOver(files, onProgress), signal, downloadAfter,
} = {}) {
  const cache = await openCache(cacheName);
  const out = {};
  let fromCache = true;
  const stopped = () => {
    if (signal?.aborted) throw new ModelLoadError('aborted', 'the download of the language model was aborted');
  };
  stopped();
  // All at once: the small files do not each wait a round trip behind the weights. The bytes
  // are used at once while the browser stores them.
  await Promise.all(files.map(async (file) => {
    const got = await cachedOrDownloaded(cache, file, (loaded) => report(file, loaded, 'network'), { signal, downloadAfter });
    stopped();
    if (got.fromCache) report(file, got.bytes.length, 'cache');
    fromCache &&= got.fromCache;
    out[file.name] = got.bytes;
  }));
  return { files: out, fromCache };
}

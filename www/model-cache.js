// Fetches the model files once, with byte progress and a sha256 check, and keeps them in the
// Cache API so later visits read them locally. Runs in the worker (fetch, caches and
// crypto.subtle are all available there).

import { CACHE_NAME, MODEL_BASE_URL, MODEL_FILES } from './model-files.js';

export class ModelLoadError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(response, expectedBytes, onBytes) {
  const total = Number(response.headers.get('Content-Length')) || expectedBytes;
  const out = new Uint8Array(total);
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > out.length) {
      throw new ModelLoadError('size', `received more bytes than the expected ${total}`);
    }
    out.set(value, loaded);
    loaded += value.length;
    onBytes(loaded);
  }
  return loaded === out.length ? out : out.subarray(0, loaded);
}

async function openCache() {
  // The Cache API can be missing (e.g. some private modes) or refuse: then we just download.
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null;
  }
}

/**
 * Loads every model file. `onProgress({file, loaded, total, overallLoaded, overallTotal, source})`
 * is called as bytes arrive. Resolves to `{files: {name: Uint8Array}, fromCache}`.
 */
export async function loadModelFiles(onProgress) {
  const cache = await openCache();
  const overallTotal = MODEL_FILES.reduce((sum, f) => sum + f.bytes, 0);
  const loadedByFile = new Map(MODEL_FILES.map((f) => [f.name, 0]));
  const report = (file, loaded, source) => {
    loadedByFile.set(file.name, loaded);
    const overallLoaded = [...loadedByFile.values()].reduce((a, b) => a + b, 0);
    onProgress({ file: file.name, loaded, total: file.bytes, overallLoaded, overallTotal, source });
  };

  const files = {};
  let fromCache = true;
  for (const file of MODEL_FILES) {
    const url = new URL(file.name, MODEL_BASE_URL).href;
    let bytes = null;
    const cached = cache && (await cache.match(url));
    if (cached) {
      bytes = new Uint8Array(await cached.arrayBuffer());
      // A damaged cache entry is dropped and downloaded again, never used.
      if ((await sha256Hex(bytes)) !== file.sha256) {
        await cache.delete(url);
        bytes = null;
      } else {
        report(file, bytes.length, 'cache');
      }
    }
    if (!bytes) {
      fromCache = false;
      bytes = await download(url, file, (loaded) => report(file, loaded, 'network'));
      if (cache) {
        try {
          await cache.put(url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
        } catch {
          // Storage full or denied: keep working from memory; the next visit downloads again.
        }
      }
    }
    files[file.name] = bytes;
  }
  return { files, fromCache };
}

/**
 * Fetches one catalogue file with byte progress, `onProgress({file, loaded, total})`. These
 * files are revalidated through the HTTP cache (and the service worker keeps them offline).
 */
export async function fetchWithProgress(file, onProgress) {
  let response;
  try {
    response = await fetch(file.url);
  } catch (error) {
    throw new ModelLoadError('network', `could not download ${file.name}: ${error.message}`);
  }
  if (!response.ok) {
    throw new ModelLoadError('network', `could not download ${file.name}: HTTP ${response.status}`);
  }
  const total = Number(response.headers.get('Content-Length')) || 0;
  if (!total) return new Uint8Array(await response.arrayBuffer());
  return readWithProgress(response, total, (loaded) => onProgress({ file: file.name, loaded, total }));
}

async function download(url, file, onBytes) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch (error) {
    throw new ModelLoadError('network', `could not download ${file.name}: ${error.message}`);
  }
  if (!response.ok) {
    throw new ModelLoadError('network', `could not download ${file.name}: HTTP ${response.status}`);
  }
  const bytes = await readWithProgress(response, file.bytes, onBytes);
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new ModelLoadError(
      'checksum',
      `${file.name} is corrupted: its sha256 is ${actual.slice(0, 16)}…, expected ${file.sha256.slice(0, 16)}…`,
    );
  }
  return bytes;
}

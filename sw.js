// The service worker: the site keeps working offline after the first visit. When it installs it
// reads the site's manifest (site.json) and stores the page's own files and those of the
// catalogue(s) its pages have open (`?catalog=…`, else the first); a catalogue opened later is
// stored as it is fetched. Afterwards the network comes first (a new version is seen at once
// when online) and this cache answers when the network fails. It only ever answers GETs of this
// origin's own files; the model's files, the item–item rows' shards and the catalogue files only
// the language model reads (adapter, text vectors) are not its business (the library keeps them,
// checked by sha256, in caches of their own, once fetched). The page registers it once its
// language model is loaded, so that on a first visit these downloads (mostly answered by the HTTP
// cache by then) come last. Every path is relative to this file, so the site works under any
// sub-path.

const CACHE = 'localrec-site-v2';
const MODEL_PATH = /\/models\//;
// A catalogue's item–item rows, by shard: fetched as reactions need them and kept by the library
// in a cache of its own (www/item-item-rows.js), never all at once here.
const ROW_SHARDS = /\/item_item\/[^/]+$/;
// Listed in site.json but never fetched by the page: not worth a first visit's bytes.
const NOT_FOR_THE_PAGE = /^examples\/|\.d\.ts$|\.ts$|\.cjs$|\.md$|\/LICENSE$|uPlot\.(iife|cjs)/;

/** The catalogues the site's open pages show (`?catalog=`, or the site's first). */
async function openCatalogues(manifest) {
  const names = new Set();
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    names.add(new URL(client.url).searchParams.get('catalog') || manifest.catalogs[0]?.name);
  }
  if (names.size === 0) names.add(manifest.catalogs[0]?.name);
  return manifest.catalogs.filter((c) => names.has(c.name));
}

/**
 * A catalogue's files that only the language model's users read (its adapter, its text vectors
 * where its first list reads the head's item table), by path: the library keeps them once it has
 * fetched them (www/worker.js), so a visitor who never describes a taste never downloads them.
 */
function languageFiles(manifest) {
  return new Set(manifest.catalogs.flatMap((c) => [c.files?.adapter, c.files?.itemTable ? c.files?.textVectors : null]
    .filter(Boolean).map((file) => `${c.path}${file}`)));
}

let keptManifestLanguageFiles = null; // this worker's reading of the kept site.json (see passesBy)

/** Whether the fetch of `url` is one this cache leaves to the library (languageFiles of the kept site.json). */
async function passesBy(url) {
  keptManifestLanguageFiles ??= caches.open(CACHE).then((cache) => cache.match('site.json'))
    .then((response) => (response ? response.json() : null))
    .then((manifest) => new Set([...(manifest ? languageFiles(manifest) : [])].map((path) => new URL(path, self.registration.scope).href)))
    .catch(() => new Set());
  return (await keptManifestLanguageFiles).has(url);
}

/** What the site needs offline: the page, the manifest, its files and its open catalogues'. → `{manifest, paths}` */
async function siteFiles() {
  const response = await fetch('site.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`site.json: HTTP ${response.status}`);
  const manifest = await response.json();
  const model = manifest.model?.path ?? 'models/';
  const catalogues = await openCatalogues(manifest);
  const allCatalogues = manifest.catalogs.map((c) => c.path);
  const languageOnly = languageFiles(manifest);
  const wanted = (path) => {
    if (path.startsWith(model) || NOT_FOR_THE_PAGE.test(path) || ROW_SHARDS.test(`/${path}`) || languageOnly.has(path)) return false;
    const inCatalogue = allCatalogues.find((prefix) => path.startsWith(prefix));
    return !inCatalogue || catalogues.some((c) => c.path === inCatalogue);
  };
  return { manifest, paths: ['./', 'site.json', ...manifest.files.map((file) => file.path).filter(wanted)] };
}

// A host that sends files as they are (no Content-Encoding) gets asked for the build's `.gz`
// copies of the big files, decoded here and kept as the files themselves: as the page does
// (www/gzip-copies.js, whose probe and test this repeats: a service worker is a classic script).
const PROBED_FILE = 'pkg/localrec_bg.wasm';
const DECODED_TYPES = { '.wasm': 'application/wasm', '.json': 'application/json', '.csv': 'text/csv; charset=utf-8', '.safetensors': 'application/octet-stream' };

async function sendsFilesAsTheyAre(manifest) {
  const listed = manifest.files.find((file) => file.path === PROBED_FILE);
  try {
    const response = await fetch(PROBED_FILE, { method: 'HEAD', cache: 'no-store' });
    const encoding = response.headers.get('content-encoding');
    return response.ok && !(encoding && encoding !== 'identity') && Number(response.headers.get('content-length')) === listed?.bytes;
  } catch {
    return false;
  }
}

/** Keeps `path` in `cache`: from its `.gz` copy (`file` lists it) when `gzip`, else as it is. */
async function keep(cache, path, file, gzip) {
  const type = DECODED_TYPES[path.match(/\.[a-z]+$/)?.[0]];
  if (gzip && type && Number.isInteger(file?.encoded?.gz)) {
    try {
      const response = await fetch(`${path}.gz`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      // Already decoded by the browser if the host sent the copy with Content-Encoding.
      const body = response.headers.get('content-encoding') ? response.body : response.body.pipeThrough(new DecompressionStream('gzip'));
      const bytes = await new Response(body).arrayBuffer();
      if (bytes.byteLength !== file.bytes) throw new Error(`${path}.gz decodes to ${bytes.byteLength} bytes, not ${file.bytes}`);
      await cache.put(path, new Response(bytes, { headers: { 'Content-Type': type, 'X-Decoded-From': `${path}.gz` } }));
      return;
    } catch {
      // the file itself, below
    }
  }
  await cache.add(path);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const { manifest, paths } = await siteFiles();
    const gzip = await sendsFilesAsTheyAre(manifest);
    const listed = new Map(manifest.files.map((file) => [file.path, file]));
    await Promise.all(paths.map((path) => keep(cache, path, listed.get(path), gzip)));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => event.waitUntil((async () => {
  // Caches of earlier versions of this worker go.
  for (const name of await caches.keys()) {
    if (name.startsWith('localrec-app-') || (name.startsWith('localrec-site-') && name !== CACHE)) await caches.delete(name);
  }
  await self.clients.claim();
})()));

// A page under the site asks to keep its own files (its address, scripts and styles: see
// www/offline.js); the model's are the library's, as ever. Answered once they are stored.
self.addEventListener('message', (event) => {
  if (event.data?.op !== 'keep') return;
  const scope = self.registration.scope;
  const urls = [...new Set(event.data.urls)].filter((url) => url.startsWith(scope) && !MODEL_PATH.test(new URL(url).pathname));
  event.waitUntil((async () => {
    try {
      const cache = await caches.open(CACHE);
      // What is kept already (the site's files, some decoded from their copies) stays as it is.
      const missing = [];
      for (const url of urls) if (!(await cache.match(url))) missing.push(url);
      await cache.addAll(missing);
      event.ports[0]?.postMessage({ kept: urls.length });
    } catch (error) {
      event.ports[0]?.postMessage({ error: String(error) });
    }
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // A `.gz` copy is how the page fetches a file from some hosts; the file is what is kept. A
  // HEAD asks how the host sends files (www/gzip-copies.js): offline, the kept file answers.
  if (!['GET', 'HEAD'].includes(request.method) || url.origin !== self.location.origin || MODEL_PATH.test(url.pathname)
    || ROW_SHARDS.test(url.pathname) || url.pathname.endsWith('.gz')) return;
  event.respondWith(networkFirst(request, event));
});

async function networkFirst(request, event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && request.method === 'GET' && !(await passesBy(request.url))) {
      event.waitUntil(cache.put(request, response.clone()).catch(() => {}));
    }
    return response;
  } catch (error) {
    // A page address with a query (?backend=cpu, ?catalog=…) is still the one page.
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate', ignoreMethod: true });
    if (cached) return request.method === 'HEAD' ? new Response(null, { status: cached.status, headers: cached.headers }) : cached;
    throw error;
  }
}

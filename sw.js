// The service worker: the site keeps working offline after the first visit. When it installs it
// reads the site's manifest (site.json) and stores every file it lists; afterwards the network
// comes first (a new version is seen at once when online) and this cache answers when the
// network fails. It only ever answers GETs of this origin's own files; the model's files are
// not its business (the library keeps them, checked by sha256, in their own cache). Every path
// is relative to this file, so the site works under any sub-path.

const CACHE = 'localrec-site-v1';
const MODEL_PATH = /\/models\//;

/** What the site needs offline: the page, the manifest, and every listed file but the model's. */
async function siteFiles() {
  const response = await fetch('site.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`site.json: HTTP ${response.status}`);
  const manifest = await response.json();
  const model = manifest.model?.path ?? 'models/';
  const listed = manifest.files.map((file) => file.path).filter((path) => !path.startsWith(model));
  return ['./', 'site.json', ...listed];
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(await siteFiles());
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

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || MODEL_PATH.test(url.pathname)) return;
  event.respondWith(networkFirst(request, event));
});

async function networkFirst(request, event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(cache.put(request, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    // A page address with a query (?backend=cpu, ?catalog=…) is still the one page.
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw error;
  }
}

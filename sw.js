// The service worker: the app keeps working offline after the first visit. The app's files
// are stored when it installs; afterwards the network comes first (a new version is seen at
// once when online) and this origin's cache answers when the network fails. It only ever
// answers GETs of this origin's own files; the model files are not its business (the worker
// keeps them, checked by sha256, in their own cache).

const CACHE = 'localrec-app-v2';
// Everything the page loads besides the model. The offline browser test keeps this complete.
const APP_FILES = [
  './', 'index.html',
  'www/app.js', 'www/catalog.js', 'www/engine-client.js', 'www/history-file.js', 'www/item-map.js',
  'www/model-cache.js', 'www/model-files.js', 'www/profile.js', 'www/profile-store.js', 'www/reactions.js',
  'www/training-chart.js', 'www/views.js', 'www/worker.js', 'www/style.css',
  'pkg/localrec.js', 'pkg/localrec_bg.wasm',
  'node_modules/idb/build/index.js', 'node_modules/uplot/dist/uPlot.esm.js', 'node_modules/uplot/dist/uPlot.min.css',
  'data/anime-5k/items.tsv', 'data/anime-5k/head.safetensors', 'data/anime-5k/item_vectors.safetensors',
  'data/anime-5k/item_item.safetensors',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(APP_FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.includes('/models/')) return;
  event.respondWith(networkFirst(request, event));
});

async function networkFirst(request, event) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) event.waitUntil(cache.put(request, response.clone()).catch(() => {}));
    return response;
  } catch (error) {
    // A page address with a query (?backend=cpu) is still the one page.
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw error;
  }
}

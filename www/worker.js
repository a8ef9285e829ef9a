// The worker owns the wasm module, the recommender and (once loaded) the encoder. The library
// (localrec.js) talks to it by messages; nothing else should:
//   request  {id, op, args}     op: open | encoder | embed | tokenize | recommend | personalize | map
//                               | cancel | stop-encoder | memory | lose-device
//   reply    {id, ok: true, result} | {id, ok: false, error: {code, message}}
//   event    {op: 'progress', id, phase, ...} | {op: 'device-lost', reason, message}
// Jobs run one at a time, in order: two GPU jobs never overlap. `cancel` is the exception: it
// is handled at once, and the running personalisation stops after its current step. So is
// the encoder's download: recommendations go on while it arrives, and only loading the
// downloaded encoder into the engine takes a turn in the queue; `stop-encoder` (handled at once)
// aborts that download.

import { Engine, defaults } from '../pkg/localrec.js';
import { fetchVerified, loadModelFiles, progressOver } from './model-cache.js';
import { chooseBackend } from './backend-choice.js';
import { findAdapter, gpuBuffers, gpuDevices, watchGpuDevices } from './gpu-devices.js';
import { loadWasm } from './wasm-module.js';
import { SiteError, catalogFiles, findCatalog, modelFiles, readSite } from './site.js';
import { addShards, forgetOldShards, shardFiles } from './item-item-rows.js';
import { addWords, forgetOldWords, wordShardFiles } from './word-rows.js';

let engine = null;
let wasm = null; // the module's exports (its memory is measured)
let crashed = false; // after a wasm trap the instance must not be used again
let queue = Promise.resolve();
let cancelRequested = false;
const tasteVectors = new Map(); // sentence → its text vector (the last few)

const post = (message, transfer = []) => self.postMessage(message, transfer);

// A catalogue's files that only the language model's users read (its adapter, and its items'
// text vectors where the first list goes without them) are kept here like the model once
// downloaded, not by the site's service worker: a catalogue of 100,000 items has 39 MB of text
// vectors, which a visitor who never describes a taste never fetches.
const LANGUAGE_FILES_CACHE = 'localrec-language-files';

/**
 * `file` from the cache, or downloaded (once `downloadAfter` settles), checked and kept there,
 * as the model's files are.
 */
async function languageFile(file, report, signal, downloadAfter = null) {
  const { files } = await loadModelFiles([file], LANGUAGE_FILES_CACHE, { report, signal, downloadAfter });
  return files[file.name];
}

let site = null; // the site's manifest, read (see site.js)
let modelChoice = 'int8'; // which of the model's weights: 'int8' (compact, the default) or 'f32'
let pendingVectors = null; // the catalogue's text vectors, when the first list went without them
let encoderAdapter = null; // the catalogue's fine-tuning of the language model (site.json: 'adapter'), if any
let encoderDownload = null; // the encoder's download, when `open` started it (see downloadEncoder)
let encoderStop = null; // aborts the encoder's download under way (see downloadEncoder)
let rowShards = []; // the item–item rows' shards (site.json: 'itemItemShards'), fetched by need
let wordShards = []; // the language model's word rows by shard (site.json: 'model.wordShards'), fetched by need

self.onmessage = ({ data: { id, op, args } }) => {
  if (op === 'cancel') {
    cancelRequested = true;
    post({ id, ok: true, result: null });
    return;
  }
  if (op === 'stop-encoder') {
    encoderStop?.abort();
    post({ id, ok: true, result: null });
    return;
  }
  // The encoder downloads beside the queue; its loading takes a turn in it.
  if (op === 'encoder') {
    run(id, op, args ?? {});
    return;
  }
  queue = queue.then(() => run(id, op, args ?? {}));
};

async function run(id, op, args) {
  try {
    if (crashed) throw Object.assign(new Error('the model crashed; reload the page'), { code: 'crashed' });
    const handler = handlers[op];
    if (!handler) throw Object.assign(new Error(`unknown operation ${op}`), { code: 'bad-request' });
    const { result, transfer } = await handler(args, id);
    post({ id, ok: true, result }, transfer);
  } catch (error) {
    // A Rust panic or wasm trap surfaces as a WebAssembly.RuntimeError.
    if (error instanceof WebAssembly.RuntimeError) crashed = true;
    const code = error.code ?? (crashed ? 'crashed' : 'failed');
    post({ id, ok: false, error: { code, message: error.message ?? String(error) } });
  }
}

/** Runs `job` in its turn in the queue (after every request before it). */
function inTurn(job) {
  const done = queue.then(job);
  queue = done.catch(() => {});
  return done;
}

/**
 * Starts downloading the encoder's files (from the Cache API when there), then the pending text
 * vectors, with one 'model' progress over both (request `id`). The encoder first: it loads (0.3 s
 * of wasm on the CPU) while the vectors download, which the browser keeps receiving meanwhile;
 * the other way round the load came after every byte (measured on the first-visit throttle: the
 * taste box 0.2 s sooner, the first list 0.15 s later). The vectors' download starts as the
 * weights' last byte arrives, not once they are checked and stored: the link idled 0.5 s in
 * between. The vectors are attached to the engine in their turn as soon as they are in.
 * → `{files, weights, started, model: Promise<{bytes, fromCache}>, vectorsAttached: Promise}`.
 */
function downloadEncoder(id) {
  const started = performance.now();
  const weights = modelChoice;
  const files = modelFiles(site, weights);
  const weightsFile = files.at(-1);
  // Keyed by the weights' sha256: the int8 and f32 models never share a cache.
  const cacheName = `localrec-model-${weightsFile.sha256.slice(0, 12)}`;
  const onProgress = (p) => post({ op: 'progress', id, phase: 'model', ...p });
  const stop = new AbortController();
  encoderStop = stop;
  const { signal } = stop;
  const vectorsFile = pendingVectors;
  let weightsArrived;
  const weightsIn = new Promise((resolve) => { weightsArrived = resolve; });
  const report = progressOver([vectorsFile, encoderAdapter, ...files].filter(Boolean), (p) => {
    onProgress(p);
    if (p.file === weightsFile.name && p.loaded === p.total) weightsArrived();
  });
  const adapterFile = encoderAdapter;
  const adapter = adapterFile ? languageFile(adapterFile, report, signal) : null;
  const model = Promise.all([loadModelFiles(files, cacheName, { report, signal }), adapter])
    .then(([{ files: bytes, fromCache }, adapterBytes]) => ({ bytes, fromCache, adapterBytes }));
  const vectors = vectorsFile ? languageFile(vectorsFile, report, signal, Promise.race([weightsIn, model])) : Promise.resolve(null);
  const vectorsAttached = vectors.then((bytes) => bytes && inTurn(() => {
    requireEngine();
    if (!engine.hasTextVectors) engine.attachTextVectors(bytes);
    if (pendingVectors === vectorsFile) pendingVectors = null;
  }));
  // Awaited by the 'encoder' request; not a failure of their own before then.
  vectorsAttached.catch(() => {});
  model.catch(() => {});
  return { files, weights, started, model, vectorsAttached };
}

// The GPU devices Burn opens are watched from the start (see gpu-devices.js).
watchGpuDevices(({ reason, message }) => post({ op: 'device-lost', reason, message }));

/** `texts`' vectors, `texts.length × dim` values (their word rows fetched first where missing). */
async function embed(texts) {
  await addWords(engine, wordShards, texts);
  return engine.embed(texts);
}

async function tasteVector(text) {
  if (!tasteVectors.has(text)) {
    const vectors = await embed([text]);
    if (tasteVectors.size >= 8) tasteVectors.delete(tasteVectors.keys().next().value);
    tasteVectors.set(text, vectors);
  }
  return tasteVectors.get(text);
}

const handlers = {
  /**
   * `{site, manifest, catalog, backend, gzipCopies, sendItems}`: the site's URL and manifest
   * (site.json), the catalogue's name, 'auto' | 'webgpu' | 'cpu' (see backend-choice.js), whether
   * to fetch the build's `.gz` copies (see gzip-copies.js), whether the page wants the items
   * (a restarted worker's page has them). Loads the wasm and the
   * catalogue (no model): recommendations work from here on. → `{backend, adapter, passedOver,
   * reason, catalog, defaults, millis}` (passedOver: an adapter not used; reason: why this
   * backend; catalog: how it scores, its items having come before in a progress event of phase
   * 'items'; defaults: the crate's, see `defaults()` in src/web).
   */
  async open({ site: siteUrl, manifest, catalog: name, backend = 'auto', weights = 'int8', prefetchEncoder = false, gzipCopies = false, sendItems = true }, id) {
    const started = performance.now();
    const progress = (phase, extra = {}) => post({ op: 'progress', id, phase, ...extra });
    site = readSite(manifest, siteUrl, { gzipCopies });
    modelChoice = weights;
    modelFiles(site, weights); // an unknown choice fails here, not after the list
    const entry = findCatalog(site, name);
    const files = catalogFiles(site, entry);
    // With the head's item table the first list needs no text vectors: they follow with the
    // encoder (a text-only catalogue needs them for its first list).
    pendingVectors = files.itemTable && files.textVectors ? files.textVectors : null;
    if (pendingVectors) delete files.textVectors;
    // The language model's adapter comes with the model, not before the first list; the
    // precomputed first list is the page's (first-list.js), not the engine's.
    encoderAdapter = files.adapter ?? null;
    delete files.adapter;
    delete files.firstList;
    encoderDownload = null;
    // The item–item table's index comes with the catalogue; its rows follow by need.
    rowShards = shardFiles(site, entry);

    // The wasm module and the catalogue's files download side by side; the items are read as
    // soon as they and the wasm are in, while the rest still downloads.
    progress('wasm');
    const report = progressOver(Object.values(files), (p) => progress('catalog', p));
    const bytes = Object.fromEntries(Object.entries(files).map(([role, file]) => (
      [role, fetchVerified(file, (loaded) => report(file, loaded, 'network'))])));
    const catalogue = Promise.all(Object.values(bytes)).then(() => {
      // The list's files are in: the encoder's (and the text vectors') download starts now,
      // while the engine starts and the first list is computed, if the encoder will be wanted.
      if (prefetchEncoder) encoderDownload = downloadEncoder(id);
      return performance.now();
    });
    catalogue.catch(() => {}); // awaited below, after the engine starts
    [wasm] = await Promise.all([loadWasm(site), bytes.manifest, bytes.items]);
    const found = backend === 'cpu' ? null : await findAdapter();
    if (backend === 'webgpu' && !found) throw Object.assign(new Error('this browser offers no WebGPU adapter'), { code: 'no-webgpu' });
    const choice = chooseBackend(backend, found);
    // The adapter is reported also when it was passed over (the page says which and why).
    const adapter = choice.backend === 'webgpu' ? found : null;

    progress('engine', { backend: choice.backend });
    const creating = performance.now();
    engine = await Engine.create(choice.backend);
    const created = performance.now();
    const items = engine.readItems({ manifest: await bytes.manifest, items: await bytes.items });
    const itemsRead = performance.now();
    // Sent ahead: the page makes its catalogue from them while the rest downloads.
    if (sendItems) post({ op: 'progress', id, phase: 'items', catalog: items });
    const loadedAt = await catalogue;
    const loading = performance.now();
    // (Every download is in: these awaits only unwrap; a role the catalogue lacks stays undefined.)
    const info = engine.loadCatalog({
      textVectors: await bytes.textVectors, head: await bytes.head, itemTable: await bytes.itemTable, itemItem: await bytes.itemItemIndex,
    });
    if (engine.itemItemShardCount !== rowShards.length) {
      throw new SiteError(`the catalogue ${entry.name}'s item–item index has ${engine.itemItemShardCount} shards; site.json lists ${rowShards.length}`);
    }
    if (files.itemItemIndex) forgetOldShards(new URL(entry.path, site.url).href, rowShards);
    return {
      result: {
        defaults: defaults(),
        backend: engine.backend ?? choice.backend,
        adapter,
        passedOver: choice.backend === 'cpu' ? found : null,
        reason: choice.reason,
        catalog: info,
        // The download overlaps the engine's start and reading the items; loadCatalog is the rest.
        millis: { download: loadedAt - started, create: created - creating, readItems: itemsRead - created, loadCatalog: performance.now() - loading },
      },
    };
  },

  /**
   * The encoder's files (downloaded, or read from the cache) and, where the first list went
   * without them, the items' text vectors (attached in their turn): from the download `open`
   * started (`prefetchEncoder`), or a fresh one. Loads the encoder into the engine in its turn
   * and warms it up; resolves once both are in (a taste sentence counts from then). Progress:
   * 'model' (bytes of both), 'encoder', 'warmup' (WebGPU: its kernels compile).
   * → `{fromCache, weights, millis}`.
   */
  async encoder(_args, id) {
    if (!site) throw Object.assign(new Error('open the catalogue first'), { code: 'not-ready' });
    const progress = (phase, extra = {}) => post({ op: 'progress', id, phase, ...extra });
    const download = encoderDownload ?? downloadEncoder(id);
    encoderDownload = null; // a retry after a failure downloads again
    const { bytes, fromCache, adapterBytes } = await download.model;
    const downloadedAt = performance.now();
    const loaded = inTurn(async () => {
      requireEngine();
      progress('encoder', { backend: engine.backend });
      const [config, tokenizer, weights] = download.files.map((file) => bytes[file.name]);
      engine.loadEncoder({ config, tokenizer, weights, adapter: adapterBytes ?? undefined });
      wordShards = wordShardFiles(site, download.weights);
      if (engine.wordShardCount !== wordShards.length) {
        throw new SiteError(`the language model's word table comes in ${engine.wordShardCount} shards; site.json lists ${wordShards.length}`);
      }
      if (wordShards.length > 0) forgetOldWords(site, wordShards);
      if (engine.backend === 'webgpu') {
        progress('warmup');
        await embed(['warm up']); // compiles the GPU kernels once, before a person waits on them
      }
      return {
        result: {
          fromCache,
          weights: download.weights,
          millis: { download: downloadedAt - download.started, load: performance.now() - downloadedAt },
        },
      };
    });
    const [result] = await Promise.all([loaded, download.vectorsAttached]);
    return result;
  },

  async embed({ texts }) {
    requireEncoder();
    const vectors = await embed(texts);
    return { result: { dim: vectors.length / Math.max(1, texts.length), vectors }, transfer: [vectors.buffer] };
  },

  async tokenize({ text }) {
    requireEncoder();
    return { result: { pieces: engine.tokenize(text) } };
  },

  /**
   * `{history: [{item, reaction}], taste, personal, count}` → the engine's recommendations
   * (`{items, user, basis}`, see src/contract.rs: each item's reason comes in words),
   * `taste`, whether the sentence counted, and `rows`, the item–item rows fetched for it (null:
   * none was needed). Unset fields take the crate's defaults.
   */
  async recommend({ history, taste = '', personal = null, count }) {
    requireEngine();
    const started = performance.now();
    const text = taste.trim();
    // A taste sentence needs the encoder: until it is loaded the list leaves the sentence out
    // (and says so: `taste` false). So does it until the items' text vectors are in.
    const useTaste = Boolean(text) && engine.hasEncoder && engine.hasTextVectors;
    const tastes = useTaste ? [Array.from(await tasteVector(text))] : [];
    const tasteTexts = useTaste ? [text] : [];
    const request = { history, tastes, tasteTexts, personal, count };
    let result = await engine.recommend(request);
    let rows = null;
    if (result.missingItemItemShards) {
      rows = await addRows(result.missingItemItemShards);
      result = await engine.recommend(request);
    }
    result.taste = useTaste;
    result.rows = rows;
    result.millis = performance.now() - started;
    return { result };
  },

  /**
   * `{history, steps?, patience?}`: fine-tunes the personal residual; progress events per step.
   * Where the catalogue's history vectors come with the item–item shards, the reactions' shards
   * are fetched first.
   */
  async personalize({ history, steps, patience }, id) {
    requireEngine();
    cancelRequested = false;
    const run = () => engine.fineTune({ history, steps, patience }, (progress) => {
      post({ op: 'progress', id, phase: 'train', ...progress });
      return !cancelRequested;
    });
    let result = await run();
    if (result.missingItemItemShards) {
      await addRows(result.missingItemItemShards);
      result = await run();
    }
    return { result };
  },

  /** What the engine holds: wasm memory, and live GPU buffers (count and bytes). */
  async memory() {
    return { result: { wasmBytes: wasm?.memory.buffer.byteLength ?? 0, gpuBuffers: { ...gpuBuffers } } };
  },

  /** Destroys the GPU device, as a driver reset would (for tests, and to try recovery). */
  async 'lose-device'() {
    for (const device of gpuDevices) device.destroy();
    return { result: gpuDevices.length };
  },

  async map() {
    requireEngine();
    const result = await engine.map();
    return { result, transfer: [result.points.buffer] };
  },
};

/**
 * Fetches and adds the item–item shards `missing` (numbers, as the engine names those a list
 * needs and it lacks; see item-item-rows.js). → `{shards, bytes, fromCache, millis}`. A shard
 * that cannot be had rejects (code 'network', 'size' or 'checksum'): the list waits for its rows
 * rather than leave a reaction out.
 */
function addRows(missing) {
  return addShards(missing, rowShards, (bytes) => engine.addItemItemShard(bytes));
}

function requireEngine() {
  if (!engine) throw Object.assign(new Error('the catalogue is not loaded yet'), { code: 'not-ready' });
}

function requireEncoder() {
  requireEngine();
  if (!engine.hasEncoder) throw Object.assign(new Error('the language model is still loading'), { code: 'encoder-loading' });
}

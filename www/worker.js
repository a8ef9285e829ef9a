// The worker owns the wasm module, the encoder and the recommender. The page talks to it by
// messages:
//   request  {id, op, args}     op: init | embed | tokenize | recommend | personalize | map | cancel
//                               | memory | lose-device
//   reply    {id, ok: true, result} | {id, ok: false, error: {code, message}}
//   event    {op: 'progress', id, phase, ...} | {op: 'device-lost', reason, message}
// Jobs run one at a time, in order: two GPU jobs never overlap. `cancel` is the exception: it
// is handled at once, and the running personalisation stops after its current step.

import init, { Engine } from '../pkg/localrec.js';
import { loadModelFiles, fetchWithProgress } from './model-cache.js';
import { CATALOG_FILES } from './model-files.js';
import { reactionCode } from './reactions.js';

let engine = null;
let wasm = null; // the module's exports (its memory is measured)
let crashed = false; // after a wasm trap the instance must not be used again
let queue = Promise.resolve();
let cancelRequested = false;
const tasteVectors = new Map(); // sentence → its text vector (the last few)

const post = (message, transfer = []) => self.postMessage(message, transfer);

self.onmessage = ({ data: { id, op, args } }) => {
  if (op === 'cancel') {
    cancelRequested = true;
    post({ id, ok: true, result: null });
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

// The GPU devices Burn opens, so that their loss is seen: `device.lost` resolves when the GPU
// goes away (driver reset, device destroyed); the page then moves to a fresh worker.
// Their buffers are counted too, so that a long session can show it does not leak them.
const gpuDevices = [];
const gpuBuffers = { live: 0, bytes: 0 };
function watchGpuDevices() {
  if (!self.GPUAdapter) return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function watchedRequestDevice(...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevices.push(device);
    device.lost.then(({ reason, message }) => post({ op: 'device-lost', reason, message }));
    return device;
  };
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function countedCreateBuffer(descriptor) {
    const buffer = createBuffer.call(this, descriptor);
    gpuBuffers.live++;
    gpuBuffers.bytes += buffer.size;
    const destroy = buffer.destroy;
    let destroyed = false;
    buffer.destroy = function countedDestroy() {
      if (!destroyed) {
        destroyed = true;
        gpuBuffers.live--;
        gpuBuffers.bytes -= buffer.size;
      }
      return destroy.call(this);
    };
    return buffer;
  };
}
watchGpuDevices();

// WebGPU when the browser offers an adapter; Burn's WebGPU init traps where there is none,
// so this is checked here first. Returns the adapter's description, or null.
async function findAdapter() {
  if (!navigator.gpu) return null;
  let adapter = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}

/** The history as the engine takes it: item ids and reaction codes, in order. */
function historyArrays(history) {
  return {
    items: Uint32Array.from(history, (event) => event.item),
    codes: Uint8Array.from(history, (event) => reactionCode(event.reaction)),
  };
}

async function tasteVector(text) {
  if (!tasteVectors.has(text)) {
    const vectors = await engine.embed([text]);
    if (tasteVectors.size >= 8) tasteVectors.delete(tasteVectors.keys().next().value);
    tasteVectors.set(text, vectors);
  }
  return tasteVectors.get(text);
}

const handlers = {
  async init({ forceCpu = false }, id) {
    const started = performance.now();
    const progress = (phase, extra = {}) => post({ op: 'progress', id, phase, ...extra });

    progress('wasm');
    wasm = await init();
    const adapter = forceCpu ? null : await findAdapter();
    const { files, fromCache } = await loadModelFiles((p) => progress('download', p));
    const catalog = {};
    for (const file of CATALOG_FILES) {
      catalog[file.name] = await fetchWithProgress(file, (p) => progress('catalog', p));
    }
    const loadedAt = performance.now();

    progress('model', { backend: adapter ? 'webgpu' : 'cpu' });
    engine = await Engine.create(
      adapter ? 'webgpu' : 'cpu',
      files['config.json'],
      files['tokenizer.json'],
      files['model.safetensors'],
    );
    const catalogTsv = new TextDecoder().decode(catalog['items.tsv']);
    const recommender = engine.loadRecommender(
      catalogTsv, catalog['head.safetensors'], catalog['item_vectors.safetensors'], catalog['item_item.safetensors'],
    );
    progress('warmup');
    await engine.embed(['warm up']); // compiles the GPU kernels once, off the critical path
    const readyAt = performance.now();
    return {
      result: {
        backend: engine.backend,
        adapter,
        dim: engine.dim,
        items: recommender.items,
        catalogTsv,
        fromCache,
        millis: { download: loadedAt - started, modelAndWarmup: readyAt - loadedAt },
      },
    };
  },

  async embed({ texts }) {
    requireEngine();
    const vectors = await engine.embed(texts);
    return { result: { dim: engine.dim, vectors }, transfer: [vectors.buffer] };
  },

  async tokenize({ text }) {
    requireEngine();
    return { result: { pieces: engine.tokenize(text) } };
  },

  /** `{history: [{item, reaction}], taste, personal, count}` → recommendations with reasons. */
  async recommend({ history, taste = '', personal = null, count = 20 }) {
    requireEngine();
    const started = performance.now();
    const { items, codes } = historyArrays(history);
    const text = taste.trim();
    const tastes = text ? await tasteVector(text) : new Float32Array(0);
    const result = await engine.recommend(
      items, codes, tastes, personal ? Float32Array.from(personal) : undefined, count, 3,
    );
    result.millis = performance.now() - started;
    return { result };
  },

  /** Fine-tunes the personal residual on `history`; progress events per step. */
  async personalize({ history, steps = 60, patience = 15 }, id) {
    requireEngine();
    cancelRequested = false;
    const { items, codes } = historyArrays(history);
    const result = await engine.fineTune(items, codes, steps, patience, (progress) => {
      post({ op: 'progress', id, phase: 'train', ...progress });
      return !cancelRequested;
    });
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

function requireEngine() {
  if (!engine) throw Object.assign(new Error('the model is not loaded yet'), { code: 'not-ready' });
}

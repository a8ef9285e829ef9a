// The worker owns the wasm module and the model. The page talks to it by messages:
//   request  {id, op, args}            op: init | embed | tokenize
//   reply    {id, ok: true, result} | {id, ok: false, error: {code, message}}
//   event    {op: 'progress', id, phase, ...}
// Jobs run one at a time, in order: two GPU jobs never overlap.

import init, { Engine } from '../pkg/localrec.js';
import { loadModelFiles } from './model-cache.js';

let engine = null;
let crashed = false; // after a wasm trap the instance must not be used again
let queue = Promise.resolve();

const post = (message, transfer = []) => self.postMessage(message, transfer);

self.onmessage = ({ data: { id, op, args } }) => {
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

const handlers = {
  async init({ forceCpu = false }, id) {
    const started = performance.now();
    const progress = (phase, extra = {}) => post({ op: 'progress', id, phase, ...extra });

    progress('wasm');
    await init();
    const adapter = forceCpu ? null : await findAdapter();
    const { files, fromCache } = await loadModelFiles((p) => progress('download', p));
    const loadedAt = performance.now();

    progress('model', { backend: adapter ? 'webgpu' : 'cpu' });
    engine = await Engine.create(
      adapter ? 'webgpu' : 'cpu',
      files['config.json'],
      files['tokenizer.json'],
      files['model.safetensors'],
    );
    progress('warmup');
    await engine.embed(['warm up']); // compiles the GPU kernels once, off the critical path
    const readyAt = performance.now();
    return {
      result: {
        backend: engine.backend,
        adapter,
        dim: engine.dim,
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
};

function requireEngine() {
  if (!engine) throw Object.assign(new Error('the model is not loaded yet'), { code: 'not-ready' });
}

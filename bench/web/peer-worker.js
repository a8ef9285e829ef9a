// transformers.js (ONNX Runtime Web) in a worker, behind the same request shape as localrec's
// worker, so both are timed the same way: {id, op: 'init' | 'embed', args} → {id, ok, result}.
// Everything comes from this origin: the library from bench/peers/node_modules, the model from
// bench/peers/models (made by bench/peers/make_models.py from the same weights).

import { env, pipeline } from '../peers/node_modules/@huggingface/transformers/dist/transformers.js';

const ORT_DIST = new URL('../peers/node_modules/onnxruntime-web/dist/', import.meta.url).href;
env.allowRemoteModels = false;
env.allowLocalModels = true;
// A path, not a URL: transformers.js only looks for "local" files at scheme-less paths.
env.localModelPath = new URL('../peers/models/', import.meta.url).pathname;
env.useBrowserCache = false;
env.useWasmCache = false; // it would import the runtime from a blob: URL, which the CSP forbids
env.backends.onnx.wasm.wasmPaths = {
  mjs: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.mjs`,
  wasm: `${ORT_DIST}ort-wasm-simd-threaded.asyncify.wasm`,
};

let extractor = null;

const ops = {
  /** `device`: 'webgpu' | 'wasm'; `dtype`: 'fp32' | 'q8'. */
  async init({ device, dtype }) {
    extractor = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', { device, dtype });
    const wasm = env.backends.onnx.wasm;
    return { backend: device, dtype, numThreads: wasm.numThreads, simd: wasm.simd ?? true };
  },
  async embed({ texts }) {
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    const vectors = output.data instanceof Float32Array ? output.data : Float32Array.from(output.data);
    return { dim: output.dims[1], vectors };
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const result = await ops[op](args);
    self.postMessage({ id, ok: true, result });
  } catch (error) {
    self.postMessage({ id, ok: false, error: { message: String(error?.message ?? error) } });
  }
};

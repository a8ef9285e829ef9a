// The peer of bench/first-visit.mjs: transformers.js (in peer-worker.js, as bench/peers uses it)
// loads all-MiniLM-L6-v2 in its default 8-bit form (dtype q8, model_quantized.onnx) on the CPU
// (wasm) and embeds one sentence. Times are performance.now(): milliseconds since navigation.
// The result lands in `window.firstVisit` and `document.body.dataset.state` ('done' | 'error').

const SENTENCE = 'giant robots and space wars';
const worker = new Worker(new URL('./peer-worker.js', import.meta.url), { type: 'module' });
let next = 0;
const pending = new Map();
worker.onmessage = ({ data: { id, ok, result, error } }) => {
  const { resolve, reject } = pending.get(id);
  pending.delete(id);
  if (ok) resolve(result); else reject(new Error(error.message));
};
const request = (op, args) => new Promise((resolve, reject) => {
  const id = ++next;
  pending.set(id, { resolve, reject });
  worker.postMessage({ id, op, args });
});

try {
  const info = await request('init', { device: 'wasm', dtype: 'q8' });
  const loaded = performance.now();
  const { dim, vectors } = await request('embed', { texts: [SENTENCE] });
  const embedded = performance.now();
  const norm = Math.hypot(...vectors);
  if (dim !== 384 || Math.abs(norm - 1) > 1e-3) throw new Error(`unexpected embedding: dim ${dim}, norm ${norm}`);
  window.firstVisit = { info, loaded, embedded };
  document.body.dataset.state = 'done';
} catch (error) {
  window.firstVisit = { error: String(error?.message ?? error) };
  document.getElementById('log').textContent = window.firstVisit.error;
  document.body.dataset.state = 'error';
}

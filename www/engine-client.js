// The page's handle on the worker: promises for requests, progress callbacks per request.
// If the worker dies (a wasm trap), the next `start` makes a fresh one.

export class EngineClient {
  /**
   * `onProgress(event)` for loading progress; `onLost(error)` when the worker or its GPU dies.
   * `workerUrl`: the worker speaking this protocol (the benchmark gives another engine's).
   */
  constructor(onProgress, onLost, workerUrl = new URL('./worker.js', import.meta.url)) {
    this.onProgress = onProgress;
    this.onLost = onLost;
    this.workerUrl = workerUrl;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
  }

  #spawn() {
    this.worker?.terminate();
    this.#failAll(Object.assign(new Error('the model was restarted'), { code: 'restarted' }));
    this.worker = new Worker(this.workerUrl, { type: 'module' });
    this.worker.onmessage = ({ data }) => {
      if (data.op === 'progress') return (this.pending.get(data.id)?.onProgress ?? this.onProgress)?.(data);
      if (data.op === 'device-lost') {
        const lost = Object.assign(new Error(`the GPU device was lost (${data.reason}${data.message ? `: ${data.message}` : ''})`), { code: 'device-lost' });
        this.#failAll(lost);
        return this.onLost?.(lost);
      }
      const request = this.pending.get(data.id);
      if (!request) return;
      this.pending.delete(data.id);
      if (data.ok) request.resolve(data.result);
      else request.reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
    };
    this.worker.onerror = (event) => {
      const error = Object.assign(new Error(event.message || 'the worker failed'), { code: 'crashed' });
      this.#failAll(error);
      this.worker = null;
      this.onLost?.(error);
    };
  }

  #failAll(error) {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }

  request(op, args = {}, onProgress = null) {
    if (!this.worker) this.#spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Ends the worker (its open requests fail); a later request starts a fresh one. */
  close() {
    this.worker?.terminate();
    this.worker = null;
    this.#failAll(Object.assign(new Error('the model was closed'), { code: 'closed' }));
  }

  /** Loads wasm, model and catalogue in a fresh worker. */
  async start({ forceCpu }) {
    this.#spawn();
    return this.request('init', { forceCpu });
  }

  /** Resolves to an array of Float32Array, one unit vector per text. */
  async embed(texts) {
    const { dim, vectors } = await this.request('embed', { texts });
    return texts.map((_, i) => vectors.subarray(i * dim, (i + 1) * dim));
  }

  tokenize(text) {
    return this.request('tokenize', { text }).then((r) => r.pieces);
  }

  /** `{history, taste, personal, count}` → `{items: [{item, score, because}], user, millis}`. */
  recommend(args) {
    return this.request('recommend', args);
  }

  /** Fine-tunes on `history` (at most `steps`, early stop after `patience`); `onStep(progress)` after each step. → `{residual, report}`. */
  personalize({ history, steps, patience }, onStep) {
    return this.request('personalize', { history, steps, patience }, onStep);
  }

  /** Stops a running personalisation after its current step (it still resolves). */
  cancel() {
    return this.request('cancel');
  }

  /** → `{points: Float32Array [x, y, …], plane: {mean, axes, variance}}`. */
  map() {
    return this.request('map');
  }
}

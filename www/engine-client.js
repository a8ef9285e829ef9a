// The library's handle on the worker (localrec.js owns it; pages use the library): promises
// for requests, progress callbacks per request. If the worker dies (a wasm trap), the next
// `restart` makes a fresh one. Every failure it reports is a LocalRecError (errors.js).

import { LocalRecError } from './errors.js';

export class EngineClient {
  /**
   * `onProgress(event)` for loading progress; `onLost(error)` when the worker or its GPU dies.
   * `workerUrl`: the worker speaking this protocol; by default worker.js beside this module
   * (a bundled page: see www/README.md), or another engine's (the benchmark).
   */
  constructor(onProgress, onLost, workerUrl = null) {
    this.onProgress = onProgress;
    this.onLost = onLost;
    this.workerUrl = workerUrl;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
  }

  #spawn() {
    this.worker?.terminate();
    this.#failAll(new LocalRecError('restarted', 'the model was restarted'));
    // Written out in full: bundlers that follow `new Worker(new URL(…, import.meta.url))` (Vite,
    // webpack, Parcel) bundle the worker, and the wasm it locates the same way, from this line.
    this.worker = this.workerUrl
      ? new Worker(this.workerUrl, { type: 'module' })
      : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    let answered = false;
    this.worker.onmessage = ({ data }) => {
      answered = true;
      if (data.op === 'progress') return (this.pending.get(data.id)?.onProgress ?? this.onProgress)?.(data);
      if (data.op === 'device-lost') {
        const lost = new LocalRecError('device-lost', `the GPU device was lost (${data.reason}${data.message ? `: ${data.message}` : ''})`);
        this.#failAll(lost);
        return this.onLost?.(lost);
      }
      const request = this.pending.get(data.id);
      if (!request) return;
      this.pending.delete(data.id);
      if (data.ok) request.resolve(data.result);
      else request.reject(new LocalRecError(data.error.code, data.error.message));
    };
    this.worker.onerror = (event) => {
      // A worker that never answered did not load (its script, or one it imports, is missing):
      // say where it was looked for. A bundled page serves it beside its bundle, or names it.
      // (The default is not written as a second new URL(…): a bundler would emit the file twice.)
      const where = this.workerUrl ? new URL(this.workerUrl, globalThis.document?.baseURI ?? import.meta.url) : `worker.js beside ${import.meta.url}`;
      const message = event.message || (answered ? 'the worker failed'
        : `the engine's worker (${where}) did not load: a bundled page serves the package's worker.js and localrec_bg.wasm beside its bundle, or passes workerUrl (see the package's README)`);
      const error = new LocalRecError('crashed', message);
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
    this.#failAll(new LocalRecError('closed', 'the model was closed'));
  }

  /** Starts a fresh worker (ending any before it) and sends it `op` first. */
  restart(op, args = {}, onProgress = null) {
    this.#spawn();
    return this.request(op, args, onProgress);
  }
}

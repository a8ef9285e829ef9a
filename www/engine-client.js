// The library's handle on the worker (localrec.js owns it; pages use the library): promises
// for requests, progress callbacks per request. If the worker dies (a wasm trap), the next
// `restart` makes a fresh one. Every failure it reports is a LocalRecError (errors.js).

import { LocalRecError } from './errors.js';

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
    this.#failAll(new LocalRecError('restarted', 'the model was restarted'));
    this.worker = new Worker(this.workerUrl, { type: 'module' });
    this.worker.onmessage = ({ data }) => {
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
      const error = new LocalRecError('crashed', `the worker failed${event.message ? `: ${event.message}` : ` (${this.workerUrl})`}`);
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

// @ts-check
// The language model's loading, as the library sees it: one state ('idle' | 'loading' |
// 'loaded' | 'failed'), the `ready.encoder` promise that follows it (a fresh one after a
// failure, so that calling `load` again tries again), an AbortSignal that stops the download,
// and the events 'encoder' and 'encoder-error'. localrec.js holds one per LocalRec.

import { LocalRecError, aborted, asLocalRecError, isEngineLoss } from './errors.js';

/**
 * A promise with its resolve and reject; its rejection is not "unhandled" (it is reported).
 * @returns {{promise: Promise<any>, resolve: (value: any) => void, reject: (error: any) => void}}
 */
function settleable() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class EncoderLoading {
  #engine;
  #dispatch;
  #state = 'idle';
  #promise = null; // the loading under way
  #result = null;
  #error = null;
  #waiters;

  /**
   * `engine`: the EngineClient (requests 'encoder' and 'stop-encoder'); `dispatch(type,
   * detail)`: fires the LocalRec's events.
   */
  constructor(engine, dispatch) {
    this.#engine = engine;
    this.#dispatch = dispatch;
    this.#waiters = settleable();
    /** `ready.encoder`: resolves once the language model is loaded (the LocalRec's `ready`). */
    this.ready = { encoder: this.#waiters.promise };
  }

  /** @returns {'idle' | 'loading' | 'loaded' | 'failed'} */
  get state() {
    return /** @type {any} */ (this.#state);
  }

  /** Whether it was loaded or loading: a restarted engine loads it again. */
  get wanted() {
    return this.#state === 'loaded' || this.#state === 'loading';
  }

  /** Loads it if not loaded or loading; `signal` stops the download (code 'aborted'). */
  async load(signal = null) {
    if (signal?.aborted) throw aborted('loading the language model');
    const loading = this.#load();
    if (!signal) return loading;
    let stop;
    const stopped = new Promise((_, reject) => {
      stop = () => {
        this.#engine.request('stop-encoder').catch(() => {});
        reject(aborted('loading the language model'));
      };
      signal.addEventListener('abort', stop, { once: true });
    });
    try {
      return await Promise.race([loading, stopped]);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  #load() {
    if (this.#state === 'loaded') return Promise.resolve(this.#result);
    if (this.#state === 'loading') return this.#promise;
    if (this.#state === 'failed') {
      this.#waiters = settleable();
      this.ready.encoder = this.#waiters.promise;
    }
    this.#set('loading');
    const promise = this.#engine.request('encoder').then((result) => {
      this.#set('loaded', { result });
      this.#waiters.resolve(result);
      this.#dispatch('encoder', result);
      return result;
    }, (error) => {
      // The engine is being restarted; the restart loads the encoder again.
      if (isEngineLoss(error)) return this.ready.encoder;
      error = asLocalRecError(error);
      this.#set('failed', { error });
      this.#waiters.reject(error);
      this.#dispatch('encoder-error', error);
      throw error;
    });
    this.#promise = promise;
    return promise;
  }

  #set(state, { result = null, error = null } = {}) {
    this.#state = state;
    this.#promise = null;
    this.#result = result;
    this.#error = error;
  }

  /** Resolves once it is loaded (loading it if need be); rejects if it failed. */
  async need() {
    if (this.#state === 'loaded') return;
    if (this.#state === 'failed') throw this.#error;
    await (this.#state === 'loading' ? this.#promise : this.load());
  }

  /** A fresh engine holds no encoder (the recovery loads it again). */
  forget() {
    this.#set('idle');
  }

  /** The LocalRec was closed: a loading under way rejects `ready.encoder`. */
  close() {
    if (this.#state === 'loading') this.#waiters.reject(new LocalRecError('closed', 'closed'));
  }
}

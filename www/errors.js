// @ts-check
// The library's one error type. Every failure a page sees, the worker's included, is a
// `LocalRecError` with a `code` from ERROR_CODES (the union `LocalRecErrorCode` in
// localrec.d.ts), so that a page can branch on it; the message says the rest in words.

/** Every code, each with what it means (localrec.d.ts documents the same list). */
export const ERROR_CODES = Object.freeze({
  'bad-request': 'an argument the library cannot use (a misspelt option, a bad reaction)',
  'unknown-item': 'no item with that id in the open catalogue',
  site: "the site's manifest (site.json) is missing, unreadable or lacks what was asked for",
  network: 'a file could not be downloaded',
  size: "a file's size differs from the one site.json lists",
  checksum: "a file's sha256 differs from the one site.json lists",
  'no-webgpu': "backend 'webgpu' was asked for and the browser offers no adapter",
  'not-ready': 'the catalogue is not loaded yet',
  'encoder-loading': 'the language model is not loaded yet',
  failed: 'the engine refused or failed a request (the message says why)',
  crashed: 'the engine crashed; it restarts itself (see isEngineLoss)',
  'device-lost': 'the GPU went away; the engine restarts on the CPU',
  restarted: 'a request was cut short by a restart of the engine',
  closed: 'the LocalRec was closed',
  aborted: 'an AbortSignal stopped it',
  import: 'a profile file was refused (ImportError)',
  damaged: 'the saved profile is not understood',
  storage: 'the browser does not keep the profile (IndexedDB unavailable or full)',
});

export class LocalRecError extends Error {
  /** `code`: a key of ERROR_CODES; `options.cause`: the underlying error, if any. */
  constructor(code, message, options = undefined) {
    super(message, options);
    this.name = 'LocalRecError';
    /** @type {import('./localrec.js').LocalRecErrorCode} */
    this.code = code in ERROR_CODES ? code : 'failed';
  }
}

/**
 * `error` as a LocalRecError: itself if it is one, else one with its `code` where that is
 * known (the worker's replies, model-cache's and profile-store's errors), `fallback` otherwise.
 */
export function asLocalRecError(error, fallback = 'failed') {
  if (error instanceof LocalRecError) return error;
  if (error?.name === 'AbortError') return new LocalRecError('aborted', error.message || 'aborted', { cause: error });
  const code = typeof error?.code === 'string' && error.code in ERROR_CODES ? error.code : fallback;
  return new LocalRecError(code, error?.message ?? String(error), { cause: error });
}

const ENGINE_LOSSES = new Set(['crashed', 'device-lost', 'restarted']);
/** Whether `error` means the engine went away (it is being restarted; try again after 'restored'). */
export const isEngineLoss = (error) => ENGINE_LOSSES.has(error?.code);

/** The error of something an AbortSignal stopped: `what` in words ("opening"). */
export const aborted = (what) => new LocalRecError('aborted', `${what} was aborted`);

/**
 * Makes each of `names` (promise-returning methods of `prototype`) reject only with a
 * LocalRecError, whatever failed beneath it (IndexedDB, the worker, a bug), and never throw
 * synchronously.
 */
export function rejectingOnlyWithLocalRecErrors(prototype, names) {
  for (const name of names) {
    const method = prototype[name];
    Object.defineProperty(prototype, name, {
      async value(...args) {
        try {
          return await method.apply(this, args);
        } catch (error) {
          throw asLocalRecError(error);
        }
      },
      writable: true,
      configurable: true,
    });
  }
}

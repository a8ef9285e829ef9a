// @ts-check
// localrec: private recommendations in the browser. One class, `LocalRec`, is the whole public
// API (types in localrec.d.ts): it reads the site's manifest (site.json), owns the Web Worker
// that runs the wasm engine, the model cache and the person's profile (IndexedDB, one per
// catalogue), and hides the worker's protocol.
//
//   import { LocalRec } from './www/localrec.js';
//   const rec = await LocalRec.open({ site: './', onProgress: (p) => console.log(p.phase) });
//   await rec.react(rec.catalog.items[0].id, 'like');
//   const { items } = await rec.recommend({ count: 5 });
//
// Recommendations work as soon as `open` resolves; the language model (needed only for taste
// sentences, `describe`, `tokenize` and `embed`) keeps loading behind them, with the items' text
// vectors where the first list went without them: `rec.ready.encoder`.
//
// One concept, the class a page holds, over 400 lines because every public method stands here
// with its documentation; the work is in the modules it imports, one concept each: opening.js
// (the options, the site and the catalogue), engine-client.js (the worker and its protocol),
// encoder-loading.js (the language model's state and `ready.encoder`), first-list.js (a new
// visitor's list before the engine), personalisation-run.js,
// profile.js (this catalogue's profile), saved-profiles.js (every catalogue's), history-file.js
// (the profile as a file) and errors.js.

import { Catalog } from './catalog.js';
import { EncoderLoading } from './encoder-loading.js';
import { EngineClient } from './engine-client.js';
import {
  ERROR_CODES, LocalRecError, aborted, asLocalRecError, isEngineLoss, rejectingOnlyWithLocalRecErrors,
} from './errors.js';
import {
  ImportError, MAX_IMPORT_BYTES, MAX_TASTE_CHARS, applyImport, describeImport, exportHistory, parseHistoryImport, readImportText,
} from './history-file.js';
import { Profile, withReaction } from './profile.js';
import { profileKey } from './profile-store.js';
import { checkOpenOptions, readSiteAndCatalog } from './opening.js';
import { runPersonalisation, takeInterrupted } from './personalisation-run.js';
import { clientOf } from './internal.js';
import { deleteOtherProfiles, shownProfiles, storedProfiles } from './saved-profiles.js';
import { isReaction } from './reactions.js';
import { keepOffline } from './offline.js';
import { SiteError, catalogFiles, encoderBytes } from './site.js';
import { readFirstList } from './first-list.js';

export { ERROR_CODES, ImportError, LocalRecError, MAX_IMPORT_BYTES, MAX_TASTE_CHARS, isEngineLoss };

/**
 * `open({encoder: 'auto'})` loads the language model at once where its download (the int8 model,
 * 11 MB without its word table, whose rows come by need, and the catalogue's text vectors: up to
 * about 50,000 items) is at most this many bytes, and
 * otherwise when `loadEncoder` is called (e.g. when the taste box is first used): a visitor of a
 * catalogue of 100,000 items who never describes a taste does not download 57 MB for it.
 */
export const AUTO_ENCODER_BYTES = 32e6;

// What readProfileFile returned carries this mark, so importProfile takes it as read.
const IMPORTED = Symbol('imported');
const isImported = (value) => value?.[IMPORTED] === true;

// `using` needs Symbol.dispose; where the platform lacks it, the name TypeScript's helpers use.
// @ts-ignore: a read-only property where it exists (and then this does not run)
Symbol.dispose ??= Symbol.for('Symbol.dispose');

const plain = (history) => history.map(({ item, reaction }) => ({ item, reaction }));

export class LocalRec extends EventTarget {
  /**
   * Opens the site's catalogue: reads site.json, starts the engine in a worker, loads the
   * catalogue (every file checked against the manifest's size and sha256) and the person's
   * profile. Resolves once recommendations work; the language model loads afterwards
   * (`ready.encoder`) unless `encoder` is false, or 'auto' and its download is over
   * `AUTO_ENCODER_BYTES` (then `loadEncoder` loads it). `signal` (an AbortSignal) stops the opening:
   * it rejects with code 'aborted' and the engine is ended. Every failure is a LocalRecError.
   * @param {import('./localrec.js').OpenOptions} [options]
   */
  static async open(options = {}) {
    const { signal = null } = options ?? {};
    try {
      if (signal?.aborted) throw aborted('opening');
      return await LocalRec.#open(options ?? {}, signal);
    } catch (error) {
      throw signal?.aborted ? aborted('opening') : asLocalRecError(error);
    }
  }

  /** @param {import('./localrec.js').OpenOptions} options @param {AbortSignal | null} signal */
  static async #open({
    site = './', catalog = '', backend = 'auto', weights = 'int8', onProgress = null, encoder = true, workerUrl,
    profileNamespace = '', rememberCatalog = false, offline = true, onFirstList = null,
  }, signal) {
    checkOpenOptions({ backend, profileNamespace, weights, encoder });
    onProgress?.({ phase: 'site' });
    const { siteUrl, read, entry } = await readSiteAndCatalog({ site, catalog, weights, profileNamespace, rememberCatalog }, signal);
    if (signal?.aborted) throw aborted('opening');
    if (encoder === 'auto') encoder = encoderBytes(read, entry, weights) <= AUTO_ENCODER_BYTES;
    const rec = new LocalRec(read, entry, { backend, weights, encoder, onProgress, workerUrl, profileNamespace, onFirstList });
    // Aborting ends the engine at once: the download and the catalogue's loading stop there.
    const stop = () => rec.close();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await rec.#start();
    } catch (error) {
      rec.close();
      throw error;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    if (encoder) rec.loadEncoder().catch(() => {}); // reported through ready.encoder and 'encoder-error'
    // Offline use once the language model is here: the site's files must not compete with the
    // first list and the model on a slow connection.
    const settled = encoder ? rec.ready.encoder.catch(() => {}) : Promise.resolve();
    rec.offline = offline ? settled.then(() => keepOffline(siteUrl)) : Promise.resolve('off');
    return rec;
  }

  #site;
  #entry;
  #options;
  #client;
  #profile;
  #catalog = null;
  #info = null;
  #itemsAhead = null; // the catalogue's items until the engine is open (see #progress)
  #engine = null; // {backend, adapter, passedOver, reason}
  /** @type {EncoderLoading} */
  #encoder;
  #recovering = null;
  #recoveries = 0;
  #closed = false;

  /** Use `LocalRec.open`. */
  constructor(site, entry, options) {
    super();
    this.#site = site;
    this.#entry = entry;
    this.#options = options;
    this.#client = new EngineClient((event) => this.#progress(event), (error) => this.#lost(error), options.workerUrl);
    clientOf.set(this, this.#client);
    this.#profile = new Profile({
      key: profileKey(options.profileNamespace, entry.name),
      onOutsideChange: () => {
        this.#dropUnknown();
        this.dispatchEvent(new CustomEvent('change', { detail: { source: 'other-tab' } }));
      },
      onSaveError: (error) => this.dispatchEvent(new CustomEvent('save-error', { detail: asLocalRecError(error, 'storage') })),
    });
    /** Where the profile is kept: `{persisted, error, ignored}` (see localrec.d.ts). */
    this.storage = { persisted: false, error: null, ignored: 0 };
    this.#encoder = new EncoderLoading(this.#client, (type, detail) => this.dispatchEvent(new CustomEvent(type, { detail })));
    /** `ready.encoder`: resolves once the language model is loaded (see `loadEncoder`). */
    this.ready = this.#encoder.ready;
    /**
     * Offline use, once set up (see localrec.d.ts); `open` starts it.
     * @type {Promise<'ready' | 'outside' | 'unavailable' | 'off'>}
     */
    this.offline = Promise.resolve('off');
  }

  // ---- Loading ------------------------------------------------------------------------

  async #start() {
    const opening = this.#openEngine(this.#options.encoder);
    const interrupted = takeInterrupted(this.#options.profileNamespace, this.#entry.name);
    const restored = this.#restoreProfile();
    // A failure of the page's callback is reported as an uncaught error, as a listener's would
    // be, and leaves the opening to go on.
    this.#showFirstList(opening, restored).catch((error) => setTimeout(() => { throw error; }));
    const [opened] = await Promise.all([opening, interrupted, restored]);
    /**
     * A personalisation that was still running when the page last closed (a reload, a crash):
     * `{startedAt}`, or null. Nothing of it was kept; said once.
     */
    this.interruptedPersonalization = await interrupted;
    this.#engine = { backend: opened.backend, adapter: opened.adapter, passedOver: opened.passedOver, reason: opened.reason };
    /** The engine's defaults: `{count, reasons, steps, patience, maxWordPieces}` (from the crate). */
    this.defaults = Object.freeze(opened.defaults);
    /** Milliseconds the opening took: `{download, create, readItems, loadCatalog}` (diagnostics). */
    this.openMillis = opened.millis;
    this.#info = { ...this.#itemsAhead, ...opened.catalog };
    this.#itemsAhead = null;
    this.#dropUnknown();
    this.#profile.follow();
  }

  /** (Re)starts the worker and opens this catalogue in it (the worker's 'open'). */
  #openEngine(prefetchEncoder) {
    return this.#client.restart('open', {
      site: this.#site.url, manifest: this.#site.manifest, catalog: this.#entry.name, backend: this.#options.backend,
      weights: this.#options.weights, prefetchEncoder, gzipCopies: this.#site.gzipCopies,
      sendItems: !this.#info, // a restarted worker's: the page has them
    });
  }

  /**
   * `onFirstList` with the site's first list, where the profile turns out empty and the engine
   * is not up before the list is here (then its own list is as soon).
   */
  async #showFirstList(opening, restored) {
    const { onFirstList } = this.#options;
    if (!onFirstList) return;
    let engineUp = false;
    opening.then(() => { engineUp = true; }, () => {});
    const [list] = await Promise.all([readFirstList(catalogFiles(this.#site, this.#entry).firstList), restored]);
    const { history, taste, personal } = this.#profile.current;
    if (!list || engineUp || this.#closed || history.length > 0 || taste || personal) return;
    onFirstList(list);
  }

  async #restoreProfile() {
    try {
      this.storage.persisted = await this.#profile.restore();
    } catch (error) {
      this.storage.error = asLocalRecError(error, 'storage');
    }
  }

  #progress(event) {
    const { id, op, ...rest } = event;
    if (rest.phase === 'items') {
      // The catalogue's items, ahead of the engine: its catalogue is made while the rest of
      // the catalogue downloads (at 100,000 items, most of a second less before the list).
      this.#itemsAhead = rest.catalog;
      this.#catalog = new Catalog(rest.catalog.items, rest.catalog.columns, rest.catalog.labels);
      return;
    }
    this.#options.onProgress?.(rest);
    this.dispatchEvent(new CustomEvent('progress', { detail: rest }));
  }

  /**
   * Loads the language model (downloaded once, sha256-checked, then read from the Cache API),
   * and the items' text vectors if the catalogue opened without them, if not loaded or loading.
   * Resolves like `ready.encoder`; after a failure, calling it again tries again (and
   * `ready.encoder` is a fresh promise). `signal` stops the download (code 'aborted', for
   * `ready.encoder` too; a model already downloaded still loads).
   * @param {{signal?: AbortSignal | null}} [options]
   */
  async loadEncoder({ signal = null } = {}) {
    this.#assertOpen();
    return this.#encoder.load(signal);
  }

  /**
   * The bytes `loadEncoder` downloads at most (the language model's files, and this catalogue's
   * adapter and text vectors where its first list went without them); what is cached is read.
   */
  get encoderBytes() {
    return encoderBytes(this.#site, this.#entry, this.#options.weights);
  }

  /** Whether the language model (and the items' text vectors) are loaded: taste sentences, tokenize and embed need it. */
  get hasEncoder() {
    return this.#encoder.state === 'loaded';
  }

  /** @returns {'idle' | 'loading' | 'loaded' | 'failed'} */
  get encoderState() {
    return this.#encoder.state;
  }

  // ---- What is open -------------------------------------------------------------------

  /** The catalogues of this site: `[{name, title, kind}]`. */
  get catalogs() {
    return this.#site.manifest.catalogs.map(({ name, title, kind }) => ({ name, title, kind }));
  }

  /** The open catalogue: name, title, attribution, licence, shown columns, kind, dims, items. */
  get catalog() {
    return this.#info;
  }

  /**
   * The engine: `{backend: 'webgpu' | 'cpu', adapter, passedOver, reason}`: adapter null on the
   * CPU; passedOver, a WebGPU adapter not used (a software one, under 'auto'); reason, why this
   * backend in words ('' for a GPU).
   */
  get engine() {
    return { ...this.#engine };
  }

  /** The item with id `id` (a number or a string, as in an HTML attribute), or undefined. */
  item(id) {
    return this.#catalog.get(id);
  }

  /** Items whose title or shown fields contain every word of `query`, best first: `{items, total}`. */
  search(query, { limit = 30 } = {}) {
    return this.#catalog.searchPage(query, limit);
  }

  /** The shown fields of an item, in column order, empty ones left out. */
  fieldsOf(item) {
    return this.#catalog.fieldsOf(item);
  }

  // ---- The profile --------------------------------------------------------------------

  /** The person's profile for this catalogue: `{history, taste, personal}` (do not change it). */
  get profile() {
    const { history, taste, personal } = this.#profile.current;
    return { history, taste, personal };
  }

  /** The reactions, oldest first: `[{item, reaction, at}]`. */
  get history() {
    return this.#profile.current.history;
  }

  /** The taste sentence ('' when none). */
  get taste() {
    return this.#profile.current.taste;
  }

  /** The personal weights learned on this device, or null. */
  get personal() {
    return this.#profile.current.personal;
  }

  /** The reaction to item `id`, or undefined. */
  reactionOf(id) {
    return this.#profile.reactionOf(this.#catalog.idOf(id));
  }

  /**
   * Sets the reaction to item `id`: 'like', 'dislike', a rating 1–10, or null to take it back.
   * It counts at once (for the next `recommend`); resolves once it is saved.
   */
  async react(id, reaction) {
    this.#assertOpen();
    const item = this.#catalog.idOf(id);
    if (item === undefined) throw new LocalRecError('unknown-item', `no item ${JSON.stringify(id)} in ${this.#entry.name}`);
    if (reaction !== null && !isReaction(reaction)) {
      throw new LocalRecError('bad-request', `not a reaction: ${JSON.stringify(reaction)} (expected 'like', 'dislike', 1–10 or null)`);
    }
    return this.#profile.change(withReaction(item, reaction, Date.now()));
  }

  /**
   * Sets the taste sentence ('' removes it); it counts at once once the language model is
   * there. Resolves to its word pieces (`{pieces}`) once the model has read it, and the sentence
   * is saved; `{pieces: []}` for ''. Texts over `MAX_TASTE_CHARS` characters are cut.
   */
  async describe(text) {
    this.#assertOpen();
    const taste = String(text ?? '').trim().slice(0, MAX_TASTE_CHARS).trim();
    const saved = this.#profile.change((p) => ({ ...p, taste }));
    if (!taste) {
      await saved;
      return { taste, pieces: [] };
    }
    const pieces = await this.tokenize(taste);
    await saved;
    return { taste, pieces };
  }

  /** Resolves once every change made so far has been saved (or has failed to be). */
  saved() {
    return this.#profile.saved();
  }

  // ---- Recommending -------------------------------------------------------------------

  /**
   * The top `count` items (default `defaults.count`) for the person, none they reacted to, each with the reactions (or
   * taste) that drive it: `{items: [{item, score, because, reason}], user, taste, millis}`.
   * `taste` says whether the taste sentence counted (not until the language model is loaded).
   */
  /** @param {{count?: number}} [options] */
  async recommend({ count } = {}) {
    this.#assertOpen();
    const { history, taste, personal } = this.#profile.current;
    // Each row's reason comes in words from the crate (src/recommender/explain.rs).
    return this.#client.request('recommend', {
      history: plain(history), taste, personal: personal?.residual ?? null, count,
    });
  }

  /**
   * Fine-tunes personal weights on the person's reactions, on this device (at least 3 needed).
   * At most `steps` steps, stopping after `patience` without a better held-out loss (defaults:
   * `defaults.steps`, `defaults.patience`). `onProgress({step, steps, loss, validation,
   * elapsedS, etaS})` after each step; `signal`
   * (an AbortSignal) stops it after the current step. The weights are kept (and saved) only if
   * they ranked the person's held-out reactions better: `{report, kept, personal}`.
   */
  /** @param {import('./localrec.js').PersonalizeOptions} [options] */
  async personalize({ steps, patience, onProgress = null, signal = null } = {}) {
    this.#assertOpen();
    const { report, kept } = await runPersonalisation(this.#client, {
      history: plain(this.#profile.current.history), steps, patience, onProgress, signal,
      namespace: this.#options.profileNamespace, catalog: this.#entry.name, backend: this.#engine.backend,
      keep: (personal) => this.#profile.change((p) => ({ ...p, personal })),
    });
    return { report, kept, personal: this.#profile.current.personal };
  }

  /** Removes the personal weights. Resolves once saved. */
  async forgetPersonal() {
    this.#assertOpen();
    return this.#profile.change((p) => ({ ...p, personal: null }));
  }

  // ---- The model's view ---------------------------------------------------------------

  /** The word pieces the language model reads for `text` (waits for the model). */
  async tokenize(text) {
    await this.#needEncoder();
    return (await this.#client.request('tokenize', { text })).pieces;
  }

  /**
   * One unit vector (Float32Array, 384 numbers) per text (waits for the model): the catalogue's
   * fine-tuned model where the site ships an adapter for it, the plain one otherwise.
   */
  async embed(texts) {
    await this.#needEncoder();
    const { dim, vectors } = await this.#client.request('embed', { texts });
    return texts.map((_, i) => vectors.subarray(i * dim, (i + 1) * dim));
  }

  /** The catalogue on its principal plane: `{points: Float32Array [x, y, …] in catalogue order, plane}`. */
  async map() {
    this.#assertOpen();
    return this.#client.request('map');
  }

  async #needEncoder() {
    this.#assertOpen();
    await this.#encoder.need();
  }

  // ---- The profile as a file ----------------------------------------------------------

  /** The profile as a file the person keeps: `{data, blob, fileName}` (JSON, personal weights included). */
  exportProfile() {
    this.#assertOpen();
    /** @type {import('./localrec.js').ProfileFile} */
    const data = /** @type {any} */ (exportHistory(this.#profile.current, this.#catalog, this.#entry.name));
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const fileName = `localrec-${this.#entry.name}-${new Date().toISOString().slice(0, 10)}.json`;
    return { data, blob, fileName };
  }

  /**
   * Reads and checks a profile file (a File/Blob, its text, or its parsed JSON) without
   * changing anything: `{history, taste, personal}`. Throws an `ImportError` that says what is
   * wrong (too big, not JSON, another format, schema or catalogue, unknown items, bad values).
   */
  async readProfileFile(file) {
    this.#assertOpen();
    const { text, bytes } = await readImportText(file);
    const imported = parseHistoryImport(text, {
      bytes, catalog: this.#catalog, catalogId: this.#entry.name, personalDim: this.#info.dim, catalogs: this.catalogs,
    });
    Object.defineProperty(imported, IMPORTED, { value: true });
    return imported;
  }

  /**
   * Imports a profile file (as `readProfileFile` takes, or its result): 'replace' takes the
   * file's reactions, taste and weights; 'merge' keeps both histories (the later reaction per
   * item wins) and this profile's taste and weights where it has them. Resolves, once saved, to
   * `{summary, message, previous}`; `setProfile(previous)` undoes it.
   */
  async importProfile(file, { mode = 'replace', fileName = file?.name ?? 'the file' } = {}) {
    this.#assertOpen();
    if (mode !== 'replace' && mode !== 'merge') throw new LocalRecError('bad-request', `unknown import mode ${JSON.stringify(mode)}`);
    const imported = isImported(file) ? file : await this.readProfileFile(file);
    const previous = this.profile;
    const { summary } = applyImport(this.#profile.current, imported, mode);
    await this.#profile.change((p) => applyImport(p, imported, mode).profile);
    return { summary, message: describeImport(summary, fileName), previous };
  }

  /** Sets the whole profile (`{history, taste, personal}`, e.g. an import's `previous`). Resolves once saved. */
  async setProfile({ history = [], taste = '', personal = null } = {}) {
    this.#assertOpen();
    return this.#profile.change((p) => ({ ...p, history, taste, personal }));
  }

  /**
   * The profiles this page keeps in this browser (its namespace's, one per catalogue), as
   * saved: `[{catalog, title, namespace, reactions, taste, personal}]` (title: the catalogue's,
   * where this site has it; taste and personal: whether there is one), the open catalogue's
   * first; empty profiles are left out. `everyNamespace`: other pages' profiles on this origin too.
   */
  async savedProfiles({ everyNamespace = false } = {}) {
    return shownProfiles(await this.#storedProfiles(everyNamespace));
  }

  async #storedProfiles(everyNamespace = false) {
    this.#assertOpen();
    await this.saved();
    const titles = new Map(this.catalogs.map(({ name, title }) => [name, title]));
    return storedProfiles({ namespace: this.#options.profileNamespace, everyNamespace, titles, openCatalog: this.#entry.name });
  }

  /**
   * Deletes this catalogue's profile from the browser, or with `everyCatalog` every catalogue's
   * of this page's namespace (other tabs showing them hear of it). Resolves to what was deleted
   * (as `savedProfiles` lists it).
   */
  async deleteProfile({ everyCatalog = false } = {}) {
    this.#assertOpen();
    let stored = [];
    try {
      stored = await this.#storedProfiles();
    } catch {
      // Storage unreadable: nothing saved can be listed; this tab's profile still goes.
    }
    if (!everyCatalog) stored = stored.filter((p) => p.catalog === this.#entry.name);
    await this.#profile.deleteAll();
    await deleteOtherProfiles(stored, { namespace: this.#options.profileNamespace, openCatalog: this.#entry.name, everyCatalog });
    return shownProfiles(stored);
  }

  /** Saved reactions to items this catalogue no longer has are set aside (counted in `storage.ignored`). */
  #dropUnknown() {
    const { history } = this.#profile.current;
    const known = history.filter((event) => this.#catalog.get(event.item));
    if (known.length < history.length) {
      this.storage.ignored += history.length - known.length;
      this.#profile.current = { ...this.#profile.current, history: known };
    }
  }

  // ---- Recovery and the end -----------------------------------------------------------

  /**
   * The worker died or its GPU was lost: a fresh worker takes over (on the CPU if the GPU was
   * the problem, or at once after a crash on WebGPU), with the same catalogue, and the
   * encoder if it was loaded. Events: 'lost' (detail: the error), then 'restored' or 'error'.
   */
  #lost(error) {
    if (this.#closed || !this.#info) return;
    this.#recovering ??= (async () => {
      if (++this.#recoveries > 3) {
        this.dispatchEvent(new CustomEvent('error', { detail: new LocalRecError('crashed', `the engine keeps failing (${error.message})`) }));
        return;
      }
      const toCpu = this.#options.backend === 'cpu' || error.code === 'device-lost' || this.#engine.backend === 'webgpu';
      this.dispatchEvent(new CustomEvent('lost', { detail: Object.assign(error, { toCpu }) }));
      if (toCpu) this.#options.backend = 'cpu';
      const hadEncoder = this.#encoder.wanted;
      try {
        const opened = await this.#openEngine(hadEncoder);
        const reason = toCpu && error.code === 'device-lost' ? 'the GPU stopped working' : opened.reason;
        this.#engine = { backend: opened.backend, adapter: opened.adapter, passedOver: opened.passedOver, reason };
        this.#encoder.forget();
        if (hadEncoder) await this.loadEncoder();
        this.dispatchEvent(new CustomEvent('restored', { detail: this.engine }));
      } catch (failure) {
        this.dispatchEvent(new CustomEvent('error', { detail: asLocalRecError(failure) }));
      }
    })().finally(() => { this.#recovering = null; });
  }

  /** Ends the worker (freeing the engine's memory) and stops following other tabs. Idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
    this.#profile.close();
    this.#encoder.close();
  }

  /** `using rec = await LocalRec.open(…)` closes it at the end of the block. */
  [Symbol.dispose]() {
    this.close();
  }

  /** Whether `close` was called. */
  get closed() {
    return this.#closed;
  }

  #assertOpen() {
    if (this.#closed) throw new LocalRecError('closed', 'this LocalRec was closed');
  }
}

// The promise-returning methods: each rejects (never throws synchronously) and only with a
// LocalRecError, whatever failed beneath it (IndexedDB, the worker, a bug).
rejectingOnlyWithLocalRecErrors(LocalRec.prototype, [
  'loadEncoder', 'react', 'describe', 'saved', 'recommend', 'personalize', 'forgetPersonal', 'tokenize', 'embed', 'map',
  'readProfileFile', 'importProfile', 'setProfile', 'savedProfiles', 'deleteProfile',
]);

export { SiteError };
export default LocalRec;

// Checked by tsc (tests/types/tsconfig.json, checkJs): this file keeps the promises of its
// declarations, localrec.d.ts, which './localrec.js' resolves to for the type checker.
/** @type {(rec: LocalRec) => import('./localrec.js').LocalRec} */
const matchesDeclaration = (rec) => rec; // eslint-disable-line no-unused-vars
/** @type {(typeof import('./localrec.js').LocalRec)['open']} */
const openMatchesDeclaration = LocalRec.open; // eslint-disable-line no-unused-vars
/** @type {Readonly<Record<import('./localrec.js').LocalRecErrorCode, string>>} */
const codesMatchDeclaration = ERROR_CODES; // eslint-disable-line no-unused-vars

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

import { Catalog } from './catalog.js';
import { EngineClient } from './engine-client.js';
import { ERROR_CODES, LocalRecError, asLocalRecError } from './errors.js';
import {
  ImportError, MAX_IMPORT_BYTES, MAX_TASTE_CHARS, applyImport, describeImport, exportHistory, parseHistoryImport,
} from './history-file.js';
import { Profile, announceChange, withReaction } from './profile.js';
import {
  catalogOfKey, deleteProfiles, lastCatalogKey, listProfiles, profileKey, readRecord, writeRecord,
} from './profile-store.js';
import { clientOf } from './internal.js';
import { isReaction } from './reactions.js';
import { keepOffline } from './offline.js';
import { MODEL_WEIGHTS, SiteError, findCatalog, modelFiles, readSite } from './site.js';
import { PROBED_FILE, probeHost, sendsFilesAsTheyAre } from './gzip-copies.js';

export { ERROR_CODES, ImportError, LocalRecError, MAX_IMPORT_BYTES, MAX_TASTE_CHARS };

const ENGINE_LOSSES = new Set(['crashed', 'device-lost', 'restarted']);
/** Whether `error` means the engine went away (it is being restarted; try again after 'restored'). */
export const isEngineLoss = (error) => ENGINE_LOSSES.has(error?.code);

// What readProfileFile returned carries this mark, so importProfile takes it as read.
const IMPORTED = Symbol('imported');
const isImported = (value) => value?.[IMPORTED] === true;

const aborted = (what) => new LocalRecError('aborted', `${what} was aborted`);
// `using` needs Symbol.dispose; where the platform lacks it, the name TypeScript's helpers use.
// @ts-ignore: a read-only property where it exists (and then this does not run)
Symbol.dispose ??= Symbol.for('Symbol.dispose');

const here = () => globalThis.document?.baseURI ?? globalThis.location?.href;
const plain = (history) => history.map(({ item, reaction }) => ({ item, reaction }));

export class LocalRec extends EventTarget {
  /**
   * Opens the site's catalogue: reads site.json, starts the engine in a worker, loads the
   * catalogue (every file checked against the manifest's size and sha256) and the person's
   * profile. Resolves once recommendations work; the language model loads afterwards
   * (`ready.encoder`) unless `encoder` is false. `signal` (an AbortSignal) stops the opening:
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
    profileNamespace = '', rememberCatalog = false, offline = true,
  }, signal) {
    if (!['auto', 'webgpu', 'cpu'].includes(backend)) throw new LocalRecError('bad-request', `unknown backend ${JSON.stringify(backend)}`);
    if (typeof profileNamespace !== 'string' || profileNamespace.includes('/')) {
      throw new LocalRecError('bad-request', `profileNamespace must be text without '/', not ${JSON.stringify(profileNamespace)}`);
    }
    if (!MODEL_WEIGHTS.includes(weights)) throw new LocalRecError('bad-request', `unknown model weights ${JSON.stringify(weights)} (expected 'int8' or 'f32')`);
    const siteUrl = new URL(site, here());
    if (!siteUrl.pathname.endsWith('/')) siteUrl.pathname += '/';
    const progress = (event) => onProgress?.(event);
    progress({ phase: 'site' });
    // How the host sends files is asked beside site.json, so it costs no round trip.
    const probing = probeHost(siteUrl, signal);
    let manifest;
    try {
      const response = await fetch(new URL('site.json', siteUrl), { cache: 'no-cache', signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      manifest = await response.json();
    } catch (error) {
      if (signal?.aborted) throw aborted('opening');
      throw new LocalRecError('site', `could not read ${new URL('site.json', siteUrl)}: ${error.message}`, { cause: error });
    }
    const probed = manifest?.files?.find?.((file) => file?.path === PROBED_FILE);
    const gzipCopies = sendsFilesAsTheyAre(await probing, probed?.bytes);
    const read = readSite(manifest, siteUrl, { gzipCopies });
    if (!catalog && rememberCatalog) {
      // The catalogue this page opened last, where the site still has it.
      const last = (await readRecord(lastCatalogKey(profileNamespace)))?.catalog;
      if (read.manifest.catalogs.some((c) => c.name === last)) catalog = last;
    }
    const entry = findCatalog(read, catalog);
    if (rememberCatalog) writeRecord(lastCatalogKey(profileNamespace), { catalog: entry.name });
    modelFiles(read, weights); // a site without f32 weights says so now
    if (signal?.aborted) throw aborted('opening');
    const rec = new LocalRec(read, entry, { backend, weights, encoder, onProgress, workerUrl, profileNamespace });
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
  #engine = null; // {backend, adapter, passedOver, reason}
  #encoder = { state: 'idle', promise: null, result: null, error: null };
  #encoderWaiters = null;
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
    let resolve;
    let reject;
    const encoder = new Promise((res, rej) => { resolve = res; reject = rej; });
    encoder.catch(() => {});
    this.#encoderWaiters = { resolve, reject };
    /** `ready.encoder`: resolves once the language model is loaded (see `loadEncoder`). */
    this.ready = { encoder };
    /**
     * Offline use, once set up (see localrec.d.ts); `open` starts it.
     * @type {Promise<'ready' | 'outside' | 'unavailable' | 'off'>}
     */
    this.offline = Promise.resolve('off');
  }

  // ---- Loading ------------------------------------------------------------------------

  async #start() {
    const opening = this.#openEngine(this.#options.encoder);
    const running = this.#runningKey();
    const [opened, interrupted] = await Promise.all([opening, readRecord(running), this.#restoreProfile()]);
    /**
     * A personalisation that was still running when the page last closed (a reload, a crash):
     * `{startedAt}`, or null. Nothing of it was kept; said once.
     */
    this.interruptedPersonalization = interrupted?.startedAt ? { startedAt: interrupted.startedAt } : null;
    if (interrupted) deleteProfiles([running]).catch(() => {});
    this.#engine = { backend: opened.backend, adapter: opened.adapter, passedOver: opened.passedOver, reason: opened.reason };
    /** The engine's defaults: `{count, reasons, steps, patience, maxWordPieces}` (from the crate). */
    this.defaults = Object.freeze(opened.defaults);
    /** Milliseconds the opening took: `{download, create, loadCatalog}` (diagnostics). */
    this.openMillis = opened.millis;
    this.#info = opened.catalog;
    this.#catalog = new Catalog(opened.catalog.items, opened.catalog.columns, opened.catalog.labels);
    this.#dropUnknown();
    this.#profile.follow();
  }

  /** (Re)starts the worker and opens this catalogue in it (the worker's 'open'). */
  #openEngine(prefetchEncoder) {
    return this.#client.restart('open', {
      site: this.#site.url, manifest: this.#site.manifest, catalog: this.#entry.name, backend: this.#options.backend,
      weights: this.#options.weights, prefetchEncoder, gzipCopies: this.#site.gzipCopies,
    });
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
    if (signal?.aborted) throw aborted('loading the language model');
    const loading = this.#loadEncoder();
    if (!signal) return loading;
    let stop;
    const stopped = new Promise((_, reject) => {
      stop = () => {
        this.#client.request('stop-encoder').catch(() => {});
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

  #loadEncoder() {
    if (this.#encoder.state === 'loaded') return Promise.resolve(this.#encoder.result);
    if (this.#encoder.state === 'loading') return this.#encoder.promise;
    if (this.#encoder.state === 'failed') {
      let resolve;
      let reject;
      this.ready.encoder = new Promise((res, rej) => { resolve = res; reject = rej; });
      this.ready.encoder.catch(() => {});
      this.#encoderWaiters = { resolve, reject };
    }
    this.#encoder = { state: 'loading', promise: null, result: null, error: null };
    const promise = this.#client.request('encoder').then((result) => {
      this.#encoder = { state: 'loaded', promise: null, result, error: null };
      this.#encoderWaiters.resolve(result);
      this.dispatchEvent(new CustomEvent('encoder', { detail: result }));
      return result;
    }, (error) => {
      // The engine is being restarted; the restart loads the encoder again.
      if (isEngineLoss(error)) return this.ready.encoder;
      error = asLocalRecError(error);
      this.#encoder = { state: 'failed', promise: null, result: null, error };
      this.#encoderWaiters.reject(error);
      this.dispatchEvent(new CustomEvent('encoder-error', { detail: error }));
      throw error;
    });
    this.#encoder.promise = promise;
    return promise;
  }

  /** Whether the language model (and the items' text vectors) are loaded: taste sentences, tokenize and embed need it. */
  get hasEncoder() {
    return this.#encoder.state === 'loaded';
  }

  /** @returns {'idle' | 'loading' | 'loaded' | 'failed'} */
  get encoderState() {
    return /** @type {any} */ (this.#encoder.state);
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
    const history = plain(this.#profile.current.history);
    if (signal?.aborted) throw new LocalRecError('aborted', 'personalisation was cancelled before it started');
    const cancel = () => this.#client.request('cancel').catch(() => {});
    signal?.addEventListener('abort', cancel, { once: true });
    // Marked as running while it runs: a reload meanwhile loses it, and the next open says so.
    const running = this.#runningKey();
    await writeRecord(running, { startedAt: Date.now() });
    try {
      const { residual, report } = await this.#client.request(
        'personalize', { history, steps, patience }, (event) => {
          const { id, op, phase, ...step } = event;
          onProgress?.(step);
        },
      );
      const kept = report.best < report.initial && !report.cancelled;
      if (kept) {
        const personal = {
          residual: Array.from(residual), trainedAt: Date.now(), events: history.length,
          initial: report.initial, best: report.best, backend: this.#engine.backend,
        };
        await this.#profile.change((p) => ({ ...p, personal }));
      }
      return { report, kept, personal: this.#profile.current.personal };
    } finally {
      signal?.removeEventListener('abort', cancel);
      await deleteProfiles([running]).catch(() => {});
    }
  }

  /** Where a running personalisation of this catalogue is marked (not a profile). */
  #runningKey() {
    return profileKey(this.#options.profileNamespace, `#personalizing-${this.#entry.name}`);
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
    const { state, promise, error } = this.#encoder;
    if (state === 'loaded') return;
    if (state === 'failed') throw error;
    await (state === 'loading' ? promise : this.loadEncoder());
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
    let text;
    let bytes;
    if (typeof Blob !== 'undefined' && file instanceof Blob) {
      bytes = file.size;
      // The size is checked before a byte is read: a huge file is refused at once.
      text = bytes <= MAX_IMPORT_BYTES ? await file.text() : '';
    } else if (typeof file === 'string') {
      text = file;
      bytes = new TextEncoder().encode(file).length;
    } else {
      text = JSON.stringify(file);
      bytes = text.length;
    }
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
    return (await this.#storedProfiles(everyNamespace)).filter((p) => p.reactions > 0 || p.taste || p.personal).map(({ key, ...p }) => p);
  }

  async #storedProfiles(everyNamespace = false) {
    this.#assertOpen();
    await this.saved();
    const own = this.#options.profileNamespace;
    // A key → [namespace, catalogue] (the catalogue undefined where the key is another page's).
    const split = (key) => {
      if (!everyNamespace) return [own, catalogOfKey(own, key)];
      const slash = key.indexOf('/');
      const namespace = slash < 0 ? '' : key.slice(0, slash);
      return [namespace, catalogOfKey(namespace, key)];
    };
    const found = await listProfiles((key) => split(key)[1] !== undefined);
    const titles = new Map(this.catalogs.map(({ name, title }) => [name, title]));
    const first = (p) => p.namespace === own && p.catalog === this.#entry.name;
    return found
      .map(({ key, profile }) => {
        const [namespace, catalog] = split(key);
        return {
          key, catalog, title: titles.get(catalog) ?? catalog, namespace, reactions: profile?.history?.length ?? 0,
          taste: Boolean(profile?.taste), personal: Boolean(profile?.personal),
        };
      })
      .sort((a, b) => Number(first(b)) - Number(first(a)) || Number(a.namespace !== own) - Number(b.namespace !== own)
        || a.title.localeCompare(b.title));
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
    // Every catalogue's: which one was opened last goes too.
    const others = [...stored.filter((p) => p.catalog !== this.#entry.name).map((p) => p.key),
      ...(everyCatalog ? [lastCatalogKey(this.#options.profileNamespace)] : [])];
    if (others.length) {
      await deleteProfiles(others);
      for (const key of others) if (catalogOfKey(this.#options.profileNamespace, key)) announceChange(key);
    }
    return stored.filter((p) => p.reactions > 0 || p.taste || p.personal).map(({ key, ...p }) => p);
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
      const hadEncoder = this.#encoder.state === 'loaded' || this.#encoder.state === 'loading';
      try {
        const opened = await this.#openEngine(hadEncoder);
        const reason = toCpu && error.code === 'device-lost' ? 'the GPU stopped working' : opened.reason;
        this.#engine = { backend: opened.backend, adapter: opened.adapter, passedOver: opened.passedOver, reason };
        this.#encoder = { state: 'idle', promise: null, result: null, error: null };
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
    if (this.#encoder.state === 'loading') this.#encoderWaiters.reject(new LocalRecError('closed', 'closed'));
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
for (const name of [
  'loadEncoder', 'react', 'describe', 'saved', 'recommend', 'personalize', 'forgetPersonal', 'tokenize', 'embed', 'map',
  'readProfileFile', 'importProfile', 'setProfile', 'savedProfiles', 'deleteProfile',
]) {
  const method = LocalRec.prototype[name];
  Object.defineProperty(LocalRec.prototype, name, {
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

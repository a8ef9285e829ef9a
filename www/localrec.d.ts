// Types of localrec.js, the library of a localrec site (built by `localrec build-site`).
// Checked against localrec.js by tsc (checkJs: www/tsconfig.json). Every method that returns a
// promise rejects, never throws, and only with a LocalRecError.
//
//   import { LocalRec } from './www/localrec.js';
//   const rec = await LocalRec.open({ site: './', catalog: 'goodbooks-10k' });
//   await rec.describe('a boy wizard at a school of magic');
//   const { items } = await rec.recommend({ count: 5 });

/** An item's id: a number when the catalogue's id is a canonical integer, else its text. */
export type ItemId = number | string;

/** 'like', 'dislike', or a rating from 1 to 10. */
export type Reaction = 'like' | 'dislike' | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export type Backend = 'webgpu' | 'cpu';

export interface Item {
  id: ItemId;
  title: string;
  /** The catalogue's shown columns ('' where empty). */
  fields: Record<string, string>;
  /** The sentence the language model reads for this item. */
  text: string;
}

export interface CatalogInfo {
  name: string;
  title: string;
  /** Must be shown wherever the catalogue is. */
  attribution: string;
  licence: string;
  /** The shown columns, in order. */
  columns: string[];
  /** Per shown column that has one, how its value reads ("{} min": "20 min"); see `fieldsOf`. */
  labels: Record<string, string>;
  /** 'hybrid' | 'head': learned from public interactions; 'text': by text alone. */
  kind: 'hybrid' | 'head' | 'text';
  /** The width of the person's vector (and of personal weights). */
  dim: number;
  /** The language model's vector width (384). */
  textDim: number;
  items: Item[];
}

export interface CatalogSummary {
  name: string;
  title: string;
  kind: 'hybrid' | 'head' | 'text';
}

/** Loading progress (`onProgress`, the 'progress' event). */
export interface LoadProgress {
  /** 'site' | 'wasm' | 'catalog' | 'engine' | 'model' | 'encoder' | 'warmup'. */
  phase: string;
  /**
   * The file being fetched ('catalog'; 'model': the model's files and, where the first list went
   * without them, the items' text vectors), and its bytes and those of all so far, as decoded
   * (a compressed transfer counts what it decodes to): `loaded` ≤ `total` always.
   */
  file?: string;
  loaded?: number;
  total?: number;
  overallLoaded?: number;
  overallTotal?: number;
  /** Where the model's bytes come from. */
  source?: 'network' | 'cache';
  backend?: Backend;
}

export interface OpenOptions {
  /** The site's root (where site.json is), relative to the page. Default './'. */
  site?: string | URL;
  /** A catalogue's name from site.json; the first one by default. */
  catalog?: string;
  /**
   * 'auto' (WebGPU where the browser offers a hardware adapter; the CPU where it offers none, or
   * only a software / fallback one such as SwiftShader), 'webgpu' (any adapter) or 'cpu'.
   */
  backend?: 'auto' | Backend;
  /** The model's weights: 'int8' (compact, 23 MB: the default) or 'f32' (87 MB). */
  weights?: ModelWeights;
  onProgress?: (event: LoadProgress) => void;
  /**
   * Called once, while the engine is still starting (before the wasm and the catalogue's files
   * are here), with the list a new visitor sees first, made when the site was built, where the
   * person's profile is empty. Not called when the engine is up first, nor for a site built
   * without it. The engine's list (`recommend`) is the same; reactions wait for `open`.
   */
  onFirstList?: (list: FirstList) => void;
  /** Stops the opening: `open` rejects with code 'aborted' and the engine is ended. */
  signal?: AbortSignal;
  /**
   * Load the language model (and the items' text vectors) right after the catalogue (default
   * true); false: only when `loadEncoder` is called; 'auto': at once where that download is at
   * most `AUTO_ENCODER_BYTES` (a catalogue of up to about 35,000 items), else when asked.
   */
  encoder?: boolean | 'auto';
  /**
   * Where the engine's worker is: by default worker.js beside localrec.js (its own folder on a
   * site; a bundler that follows `new Worker(new URL(…, import.meta.url))` emits it). A bundle
   * that does not (esbuild): the site's, `new URL('www/worker.js', site)`, or the package's
   * worker.js bundled beside the page. Also another worker speaking the protocol (benchmarks).
   */
  workerUrl?: string | URL;
  /**
   * Whose profiles these are: pages of one origin that open the library with the same namespace
   * share the person's profiles (one per catalogue); the default ('') is the demo page's. Give
   * your page its own (e.g. 'my-shop'), unless it should share the demo's. No '/'.
   */
  profileNamespace?: string;
  /**
   * Remember the catalogue opened, in this browser (beside the profiles, per namespace), and
   * open it again when `catalog` is not given (default false: the first catalogue).
   */
  rememberCatalog?: boolean;
  /**
   * Offline use (default true): once the language model is loaded, the site's service worker
   * keeps the site's files and this page's own, so that the page opens without a network next
   * time. Only a page under the site's folder can be served by it; see `LocalRec.offline`.
   */
  offline?: boolean;
}

export type ModelWeights = 'int8' | 'f32';

export interface EncoderInfo {
  fromCache: boolean;
  /** Which weights were loaded. */
  weights: ModelWeights;
  /** Milliseconds: the download (or cache read: the text vectors too, where they come with it), loading and warming up. */
  millis: { download: number; load: number };
}

export interface Adapter {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface HistoryEvent {
  item: ItemId;
  reaction: Reaction;
  /** When, in ms since 1970. */
  at: number;
}

export interface PersonalWeights {
  residual: number[];
  trainedAt: number | null;
  events: number | null;
  initial: number | null;
  best: number | null;
  backend: Backend | null;
}

export interface Profile {
  history: HistoryEvent[];
  taste: string;
  personal: PersonalWeights | null;
}

export interface Share {
  source: { kind: 'item'; index: ItemId } | { kind: 'taste'; index: number };
  share: number;
}

export interface Recommendation {
  item: ItemId;
  score: number;
  /** The reactions (or taste) with the largest exact shares of the score. */
  because: Share[];
  /** The same in words ("Because you liked …"), or null. */
  reason: string | null;
}

/** The list a new visitor sees first (`OpenOptions.onFirstList`). */
export interface FirstList {
  basis: Recommendations['basis'];
  /** Each item, its shown columns in words, and its reason (none yet: null). */
  items: { item: Item; fields: string[]; reason: string | null }[];
}

export interface Recommendations {
  items: Recommendation[];
  /** The person's vector. */
  user: number[];
  /**
   * What the list rests on: the person's reactions or taste; nothing of theirs yet, so what
   * the public lists (or the popularity column) favour; or nothing at all (a text-only
   * catalogue without a popularity column), so a spread across the catalogue.
   */
  basis: 'person' | 'popularity' | 'spread';
  /** Whether the taste sentence counted (it waits for the language model). */
  taste: boolean;
  /**
   * The item–item rows this list waited for: the shards of the reactions' rows that were not
   * in memory yet, read from the cache or downloaded (null when every row was here).
   */
  rows: { shards: number; bytes: number; fromCache: boolean; millis: number } | null;
  millis: number;
}

/** One step of a personalisation (the crate's `FineTuneProgress`). */
export interface TrainingStep {
  step: number;
  /** The run's step limit. */
  steps: number;
  loss: number;
  /** The held-out loss after this step (lower is better). */
  validation: number;
  /** Seconds since the start, and about how many are left at most. */
  elapsedS: number;
  etaS: number;
}

/** What a personalisation did (the crate's `FineTuneReport`). */
export interface TrainingReport {
  /** The run's limits: at most `steps` steps, stopping after `patience` without a better held-out loss. */
  steps: number;
  patience: number;
  /** Per step run: the training loss, and the held-out loss. */
  losses: number[];
  validations: number[];
  /** The held-out loss before any step, and of the kept weights. */
  initial: number;
  best: number;
  /** The step of the kept weights (0: no step was better than none). */
  bestStep: number;
  /**
   * Where each held-out reaction ranked among the items not learned from (1 = first), without
   * the weights and with the kept ones.
   */
  heldOutRanks: { before: number[]; after: number[] };
  cancelled: boolean;
  seconds: number;
}

export interface PersonalizeOptions {
  /** Default `defaults.steps`. */
  steps?: number;
  /** Default `defaults.patience`. */
  patience?: number;
  onProgress?: (step: TrainingStep) => void;
  /** Stops the run after its current step. */
  signal?: AbortSignal;
}

export interface ProfileFile {
  format: 'localrec-history';
  schema: number;
  catalog: string;
  exportedAt: string;
  taste: string;
  history: { item: ItemId; name: string | null; reaction: Reaction; at: string }[];
  personal: Record<string, unknown> | null;
}

/** A checked profile file, ready to import. */
export interface ImportedProfile {
  history: HistoryEvent[];
  taste: string;
  personal: PersonalWeights | null;
}

export interface ImportResult {
  summary: Record<string, unknown>;
  /** What happened, in words. */
  message: string;
  /** The profile before the import: `setProfile(previous)` undoes it. */
  previous: Profile;
}

/** A profile kept in this browser, as `savedProfiles` lists it. */
export interface SavedProfile {
  catalog: string;
  /** The page's profile namespace ('' for the demo's; see `OpenOptions.profileNamespace`). */
  namespace: string;
  /** The catalogue's title where this site has it, else its name. */
  title: string;
  reactions: number;
  /** Whether there is a taste sentence, and personal weights. */
  taste: boolean;
  personal: boolean;
}

/** Where the profile is kept (`LocalRec.storage`). */
export interface ProfileStorage {
  /** Whether the browser agreed not to evict the profile. */
  persisted: boolean;
  /** Why the profile is not saved (then changes live in this tab only), or null. */
  error: LocalRecError | null;
  /** Saved reactions to items this catalogue does not have (not used). */
  ignored: number;
}

export interface LocalRecEventMap {
  progress: CustomEvent<LoadProgress>;
  encoder: CustomEvent<EncoderInfo>;
  'encoder-error': CustomEvent<LocalRecError>;
  /** The profile changed in another tab. */
  change: CustomEvent<{ source: 'other-tab' }>;
  'save-error': CustomEvent<LocalRecError>;
  /** The engine died or lost its GPU; a fresh one is starting (`toCpu`: on the CPU). */
  lost: CustomEvent<LocalRecError & { toCpu: boolean }>;
  restored: CustomEvent<{ backend: Backend; adapter: Adapter | null }>;
  error: CustomEvent<LocalRecError>;
}

/**
 * What went wrong, for a page to branch on (`ERROR_CODES` has each in words):
 * - 'bad-request': an argument the library cannot use (a misspelt option, a bad reaction)
 * - 'unknown-item': no item with that id in the open catalogue
 * - 'site': the site's manifest (site.json) is missing, unreadable or lacks what was asked for
 * - 'network' | 'size' | 'checksum': a file could not be downloaded, or differs from site.json
 * - 'no-webgpu': backend 'webgpu' was asked for and the browser offers no adapter
 * - 'not-ready' | 'encoder-loading': the catalogue, or the language model, is not loaded yet
 * - 'failed': the engine refused or failed a request (the message says why)
 * - 'crashed' | 'device-lost' | 'restarted': the engine went away (see `isEngineLoss`)
 * - 'closed': the LocalRec was closed; 'aborted': an AbortSignal stopped it
 * - 'import': a profile file was refused (`ImportError`); 'damaged': the saved profile is not
 *   understood; 'storage': the browser does not keep the profile
 */
export type LocalRecErrorCode =
  | 'bad-request' | 'unknown-item' | 'site' | 'network' | 'size' | 'checksum' | 'no-webgpu'
  | 'not-ready' | 'encoder-loading' | 'failed' | 'crashed' | 'device-lost' | 'restarted'
  | 'closed' | 'aborted' | 'import' | 'damaged' | 'storage';

/** Every failure of the library, the engine's (in its worker) included. */
// `Symbol.dispose` for pages whose TypeScript `lib` predates explicit resource management
// (es2022 and earlier): the same declaration as lib.esnext.disposable's, so either may come first.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export declare class LocalRecError extends Error {
  constructor(code: LocalRecErrorCode, message: string, options?: { cause?: unknown });
  /** 'LocalRecError', or a subclass's name. */
  name: string;
  code: LocalRecErrorCode;
}

/** A refused profile file; `catalog`: the site's other catalogue the file is for, if any. */
export declare class ImportError extends LocalRecError {
  constructor(message: string, options?: { catalog?: string | null });
  code: 'import';
  catalog: string | null;
}

export declare class SiteError extends LocalRecError {
  constructor(message: string);
  code: 'site';
}

/** Each error code, in words. */
export declare const ERROR_CODES: Readonly<Record<LocalRecErrorCode, string>>;

/** The engine's defaults (from the crate, not copied in JS). */
export interface Defaults {
  /** Items per `recommend`. */
  count: number;
  /** Reasons per recommendation (one, or two comparable ones). */
  reasons: number;
  /** `personalize`'s step limit and patience. */
  steps: number;
  patience: number;
  /** Word pieces the language model reads of a text, [CLS] and [SEP] included; the rest is cut. */
  maxWordPieces: number;
}

export declare const MAX_IMPORT_BYTES: number;
export declare const MAX_TASTE_CHARS: number;
/** `open({encoder: 'auto'})` loads the language model at once up to this many bytes of download. */
export declare const AUTO_ENCODER_BYTES: number;

/** Whether `error` means the engine went away (it restarts itself; try again after 'restored'). */
export declare function isEngineLoss(error: unknown): boolean;

export declare class LocalRec extends EventTarget {
  /** Opens a catalogue of a site; resolves once recommendations work. */
  static open(options?: OpenOptions): Promise<LocalRec>;

  /** `ready.encoder` resolves once the language model is loaded. */
  readonly ready: { encoder: Promise<EncoderInfo> };
  /**
   * Offline use, once set up: 'ready' (the next visit works without a network), 'outside' (the
   * page is not under the site's folder: it needs a service worker of its own), 'unavailable'
   * (no service workers here) or 'off' (`offline: false`). Never rejects.
   */
  readonly offline: Promise<'ready' | 'outside' | 'unavailable' | 'off'>;
  readonly storage: ProfileStorage;
  /** The engine's defaults (`recommend`'s count, `personalize`'s steps and patience, …). */
  readonly defaults: Readonly<Defaults>;
  /** Whether `close` was called. */
  readonly closed: boolean;
  /** Milliseconds the opening took (diagnostics). */
  readonly openMillis: { download: number; create: number; readItems: number; loadCatalog: number };
  readonly catalogs: CatalogSummary[];
  readonly catalog: CatalogInfo;
  /**
   * The engine: `adapter` null on the CPU; `passedOver`, a WebGPU adapter not used (under
   * 'auto', a software or fallback one: the CPU is faster); `reason`, why this backend, in words.
   */
  readonly engine: { backend: Backend; adapter: Adapter | null; passedOver: Adapter | null; reason: string };
  readonly hasEncoder: boolean;
  /** The bytes `loadEncoder` downloads at most (what is cached is read instead). */
  readonly encoderBytes: number;
  /** A personalisation still running when the page last closed (nothing of it was kept), or null. */
  readonly interruptedPersonalization: { startedAt: number } | null;
  readonly encoderState: 'idle' | 'loading' | 'loaded' | 'failed';
  readonly profile: Profile;
  readonly history: HistoryEvent[];
  readonly taste: string;
  readonly personal: PersonalWeights | null;

  /**
   * Loads the language model if not loaded or loading; `signal` stops its download (code
   * 'aborted', for `ready.encoder` too; calling it again starts over). A model already
   * downloaded still loads.
   */
  loadEncoder(options?: { signal?: AbortSignal }): Promise<EncoderInfo>;
  item(id: ItemId): Item | undefined;
  search(query: string, options?: { limit?: number }): { items: Item[]; total: number };
  /** The shown fields, in column order, each as its label says ("20 min"), empty ones left out. */
  fieldsOf(item: Item): string[];
  reactionOf(id: ItemId): Reaction | undefined;

  /**
   * Sets (or, with null, takes back) a reaction; resolves once saved. A rating is any number
   * (a form field's, say): one that is not a whole 1–10 is refused with 'bad-request'.
   */
  react(id: ItemId, reaction: Reaction | number | null): Promise<void>;
  /** Sets the taste sentence ('' removes it); resolves once the model has read it. */
  describe(text: string): Promise<{ taste: string; pieces: string[] }>;
  saved(): Promise<void>;

  /**
   * The top `count` (default `defaults.count`) items for the person. Waits for the item–item
   * rows of the reactions where they are not in memory yet (fetched by shard, checked and
   * cached): a failed download rejects with 'network', 'size' or 'checksum', which a retry may
   * mend; a list never leaves a reaction's rows out.
   */
  recommend(options?: { count?: number }): Promise<Recommendations>;
  personalize(options?: PersonalizeOptions): Promise<{ report: TrainingReport; kept: boolean; personal: PersonalWeights | null }>;
  forgetPersonal(): Promise<void>;

  tokenize(text: string): Promise<string[]>;
  /** Unit vectors through the catalogue's language model (with its adapter merged, if it has one). */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** The catalogue on its principal plane: `[x, y]` per item in catalogue order. */
  map(): Promise<{ points: Float32Array; plane: { mean: number[]; axes: [number[], number[]]; variance: [number, number] } }>;

  exportProfile(): { data: ProfileFile; blob: Blob; fileName: string };
  readProfileFile(file: Blob | string | object): Promise<ImportedProfile>;
  importProfile(file: Blob | string | object | ImportedProfile, options?: { mode?: 'replace' | 'merge'; fileName?: string }): Promise<ImportResult>;
  setProfile(profile: Partial<Profile>): Promise<void>;
  /** The non-empty profiles of this page's namespace (or every page's), the open catalogue's first. */
  savedProfiles(options?: { everyNamespace?: boolean }): Promise<SavedProfile[]>;
  /** Deletes the open catalogue's profile, or (`everyCatalog`) every one of the namespace; resolves to what was deleted. */
  deleteProfile(options?: { everyCatalog?: boolean }): Promise<SavedProfile[]>;

  /** Ends the worker (freeing the engine's memory) and stops following other tabs. Idempotent. */
  close(): void;
  /** `using rec = await LocalRec.open(…)`: closes it at the end of the block. */
  [Symbol.dispose](): void;

  addEventListener<K extends keyof LocalRecEventMap>(type: K, listener: (event: LocalRecEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof LocalRecEventMap>(type: K, listener: (event: LocalRecEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export default LocalRec;

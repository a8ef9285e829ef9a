// The person's profiles in IndexedDB (through `idb`), one per catalogue (keyed by the
// catalogue's name, after `<namespace>/` for a page that keeps its own; see profileKey): history, taste sentence and personal weights in one record, changed in one
// transaction, so a reload sees the old profile or the new one, never a mix. Where storage
// fails (denied, full) the app keeps working in memory and says so.
//
// Database version 2 keys profiles by catalogue; version 1 had one profile, under 'current',
// for the only catalogue there was (anime-5k): the upgrade moves it there.

import { openDB } from '../node_modules/idb/build/index.js';

export const PROFILE_SCHEMA = 1;
const DB_NAME = 'localrec';
const DB_VERSION = 2;
const STORE = 'profile';
const LEGACY_KEY = 'current';
const LEGACY_CATALOG = 'anime-5k';

/**
 * Where catalogue `catalog`'s profile is kept for pages of `namespace`: the demo's ('') is the
 * catalogue's name; another page's is `<namespace>/<catalogue>`, so that two pages of one
 * origin never read or overwrite each other's profile by accident.
 */
export const profileKey = (namespace, catalog) => (namespace ? `${namespace}/${catalog}` : catalog);

/** The catalogue of a key, if the key is one of `namespace`'s profiles; else undefined. */
export function catalogOfKey(namespace, key) {
  const catalog = !namespace ? (key.includes('/') ? undefined : key)
    : key.startsWith(`${namespace}/`) ? key.slice(namespace.length + 1) : undefined;
  // Catalogue names start with a letter or digit; the namespace's other records do not.
  return catalog && /^[a-z0-9]/.test(catalog) ? catalog : undefined;
}

/** Where `namespace`'s last opened catalogue is remembered (beside its profiles, not a profile). */
export const lastCatalogKey = (namespace) => profileKey(namespace, '#last-catalog');

/** The record under `key` (not a profile), or undefined; undefined too where storage fails. */
export async function readRecord(key) {
  try {
    return await (await db()).get(STORE, key);
  } catch {
    return undefined;
  }
}

/** Writes `value` under `key` (not a profile); a failure is ignored (a convenience only). */
export async function writeRecord(key, value) {
  try {
    await (await db()).put(STORE, value, key);
  } catch {
    // Not remembered.
  }
}

export function emptyProfile() {
  return { schema: PROFILE_SCHEMA, history: [], taste: '', personal: null };
}

let database = null;
function db() {
  database ??= openDB(DB_NAME, DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) db.createObjectStore(STORE);
      if (oldVersion === 1) {
        const store = tx.objectStore(STORE);
        const legacy = await store.get(LEGACY_KEY);
        if (legacy !== undefined && (await store.get(LEGACY_CATALOG)) === undefined) await store.put(legacy, LEGACY_CATALOG);
        await store.delete(LEGACY_KEY);
      }
    },
    // A newer version of the page wants to upgrade: let it (this tab reopens on its next change).
    blocking(_current, _blocked, event) {
      event.target.close();
      database = null;
    },
  }).catch((error) => {
    database = null; // a failed open is not remembered: the next call tries again
    throw error;
  });
  return database;
}

// Right after a crash the browser may still be letting go of the database ('UnknownError':
// the backing store could not be opened). That passes; a denial ('SecurityError') does not.
const TRANSIENT_ERRORS = new Set(['UnknownError', 'AbortError', 'TimeoutError']);
const RETRY_DELAYS_MS = [200, 500, 1000, 2000, 3000, 3000]; // ≈10 s in all
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The saved profile of catalogue `key`, or an empty one. Throws if storage is unavailable (after a few tries,
 * if the failure may pass), or (with code 'damaged') if the saved profile is not understood.
 */
export async function loadProfile(key) {
  for (const delay of RETRY_DELAYS_MS) {
    try {
      return await readProfile(key);
    } catch (error) {
      if (!TRANSIENT_ERRORS.has(error?.name)) throw error;
      await sleep(delay);
    }
  }
  return readProfile(key);
}

async function readProfile(key) {
  const saved = await (await db()).get(STORE, key);
  if (saved === undefined) return emptyProfile();
  if (saved?.schema !== PROFILE_SCHEMA || !Array.isArray(saved.history)) {
    throw Object.assign(new Error(`the saved profile has an unknown shape (schema ${saved?.schema})`), { code: 'damaged' });
  }
  return { ...emptyProfile(), ...saved };
}

/**
 * Applies `change` (a pure profile → profile function) to catalogue `key`'s saved profile, read and written
 * in one transaction: a change made meanwhile in another tab is kept, not overwritten.
 * Resolves to the profile as saved.
 */
export async function updateProfile(key, change) {
  // 'strict': the browser reports the write done only once it is on disk (a crash or a killed
  // browser right after a reaction keeps it).
  const tx = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
  const saved = (await tx.store.get(key)) ?? emptyProfile();
  if (saved.schema !== PROFILE_SCHEMA) throw new Error(`the saved profile has an unknown shape (schema ${saved.schema})`);
  const next = { ...change(saved), schema: PROFILE_SCHEMA, savedAt: Date.now() };
  await Promise.all([tx.store.put(next, key), tx.done]);
  return next;
}

export async function deleteProfile(key) {
  await (await db()).delete(STORE, key);
}

/** The saved profiles whose keys `keep(key)` accepts: `[{key, profile}]`. */
export async function listProfiles(keep) {
  const tx = (await db()).transaction(STORE);
  const keys = (await tx.store.getAllKeys()).filter((key) => typeof key === 'string' && keep(key));
  const profiles = await Promise.all(keys.map((key) => tx.store.get(key)));
  await tx.done;
  return keys.map((key, i) => ({ key, profile: profiles[i] }));
}

/** Deletes the profiles under `keys` in one transaction (all or none). */
export async function deleteProfiles(keys) {
  const tx = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
  await Promise.all([...keys.map((key) => tx.store.delete(key)), tx.done]);
}

/** Asks the browser not to evict this origin's storage. Resolves to whether it agreed. */
export async function askPersistentStorage() {
  try {
    return (await navigator.storage?.persisted?.()) || (await navigator.storage?.persist?.()) || false;
  } catch {
    return false;
  }
}

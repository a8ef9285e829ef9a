// The person's profile in IndexedDB (through `idb`): history, taste sentence and personal
// weights in one record, changed in one transaction, so a reload sees the old profile or the
// new one, never a mix. Where storage fails (denied, full) the app keeps working in
// memory and says so.

import { openDB } from '../node_modules/idb/build/index.js';

export const PROFILE_SCHEMA = 1;
const DB_NAME = 'localrec';
const STORE = 'profile';
const KEY = 'current';

export function emptyProfile() {
  return { schema: PROFILE_SCHEMA, history: [], taste: '', personal: null };
}

let database = null;
function db() {
  database ??= openDB(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore(STORE);
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
 * The saved profile, or an empty one. Throws if storage is unavailable (after a few tries,
 * if the failure may pass), or (with code 'damaged') if the saved profile is not understood.
 */
export async function loadProfile() {
  for (const delay of RETRY_DELAYS_MS) {
    try {
      return await readProfile();
    } catch (error) {
      if (!TRANSIENT_ERRORS.has(error?.name)) throw error;
      await sleep(delay);
    }
  }
  return readProfile();
}

async function readProfile() {
  const saved = await (await db()).get(STORE, KEY);
  if (saved === undefined) return emptyProfile();
  if (saved?.schema !== PROFILE_SCHEMA || !Array.isArray(saved.history)) {
    throw Object.assign(new Error(`the saved profile has an unknown shape (schema ${saved?.schema})`), { code: 'damaged' });
  }
  return { ...emptyProfile(), ...saved };
}

/**
 * Applies `change` (a pure profile → profile function) to the saved profile, read and written
 * in one transaction: a change made meanwhile in another tab is kept, not overwritten.
 * Resolves to the profile as saved.
 */
export async function updateProfile(change) {
  // 'strict': the browser reports the write done only once it is on disk (a crash or a killed
  // browser right after a reaction keeps it).
  const tx = (await db()).transaction(STORE, 'readwrite', { durability: 'strict' });
  const saved = (await tx.store.get(KEY)) ?? emptyProfile();
  if (saved.schema !== PROFILE_SCHEMA) throw new Error(`the saved profile has an unknown shape (schema ${saved.schema})`);
  const next = { ...change(saved), schema: PROFILE_SCHEMA, savedAt: Date.now() };
  await Promise.all([tx.store.put(next, KEY), tx.done]);
  return next;
}

export async function deleteProfile() {
  await (await db()).delete(STORE, KEY);
}

/** Asks the browser not to evict this origin's storage. Resolves to whether it agreed. */
export async function askPersistentStorage() {
  try {
    return (await navigator.storage?.persisted?.()) || (await navigator.storage?.persist?.()) || false;
  } catch {
    return false;
  }
}

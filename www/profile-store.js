// The person's profile in IndexedDB (through `idb`): history, taste sentence and personal
// weights, always written together in one transaction, so a reload sees the old profile or
// the new one, never a mix. Where storage fails (denied, full) the app keeps working in
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
  });
  return database;
}

/** The saved profile, or an empty one. Throws if it cannot be read or is not understood. */
export async function loadProfile() {
  const saved = await (await db()).get(STORE, KEY);
  if (saved === undefined) return emptyProfile();
  if (saved?.schema !== PROFILE_SCHEMA || !Array.isArray(saved.history)) {
    throw new Error(`the saved profile has an unknown shape (schema ${saved?.schema})`);
  }
  return { ...emptyProfile(), ...saved };
}

export async function saveProfile(profile) {
  const tx = (await db()).transaction(STORE, 'readwrite');
  await Promise.all([tx.store.put({ ...profile, schema: PROFILE_SCHEMA, savedAt: Date.now() }, KEY), tx.done]);
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

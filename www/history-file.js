// The person's history as a file they own: export to JSON, import from JSON. An import is
// checked completely before anything changes; any problem is one clear message and the
// current history stays as it was.

import { isReaction } from './reactions.js';

export const FILE_FORMAT = 'localrec-history';
export const FILE_SCHEMA = 1;
export const MAX_IMPORT_BYTES = 5_000_000; // ≈100,000 reactions: far beyond any real list
export const MAX_EVENTS = 20_000;
const MAX_TASTE_CHARS = 2_000;

export class ImportError extends Error {}

/** The file's content for `profile` (names are included for people reading the file). */
export function exportHistory(profile, catalog, catalogId) {
  return {
    format: FILE_FORMAT,
    schema: FILE_SCHEMA,
    catalog: catalogId,
    exportedAt: new Date().toISOString(),
    taste: profile.taste ?? '',
    history: profile.history.map(({ item, reaction, at }) => ({
      item, name: catalog.get(item)?.name ?? null, reaction, at: new Date(at).toISOString(),
    })),
  };
}

/**
 * Reads an import: `bytes` is the file's size, `text` its content. Returns `{history, taste}`
 * or throws an `ImportError` that says what is wrong.
 */
export function parseHistoryImport(text, { bytes, catalog, catalogId }) {
  if (bytes > MAX_IMPORT_BYTES) {
    throw new ImportError(`This file is ${(bytes / 1e6).toFixed(1)} MB; a history file is at most ${MAX_IMPORT_BYTES / 1e6} MB.`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`This file is not valid JSON (${error.message}).`);
  }
  if (typeof data !== 'object' || data === null || data.format !== FILE_FORMAT) {
    throw new ImportError('This is not a localrec history file (its "format" is not "localrec-history").');
  }
  if (data.schema !== FILE_SCHEMA) {
    throw new ImportError(`This history file has schema ${JSON.stringify(data.schema)}; this version reads schema ${FILE_SCHEMA}.`);
  }
  if (data.catalog !== catalogId) {
    throw new ImportError(`This history is for the catalogue ${JSON.stringify(data.catalog)}, not ${catalogId}.`);
  }
  if (!Array.isArray(data.history)) throw new ImportError('The file has no "history" list.');
  if (data.history.length > MAX_EVENTS) {
    throw new ImportError(`The file has ${data.history.length} reactions; at most ${MAX_EVENTS} can be imported.`);
  }
  if (data.taste !== undefined && (typeof data.taste !== 'string' || data.taste.length > MAX_TASTE_CHARS)) {
    throw new ImportError(`"taste" must be a text of at most ${MAX_TASTE_CHARS} characters.`);
  }

  const unknown = [];
  const byItem = new Map(); // one reaction per item: the last one in the file wins
  data.history.forEach((event, index) => {
    const where = `Reaction ${index + 1}`;
    if (typeof event !== 'object' || event === null) throw new ImportError(`${where} is not an object.`);
    if (!Number.isInteger(event.item)) throw new ImportError(`${where} has no integer "item" id.`);
    if (!isReaction(event.reaction)) {
      throw new ImportError(`${where} has reaction ${JSON.stringify(event.reaction)}; expected "like", "dislike" or a rating 1–10.`);
    }
    const at = event.at === undefined ? Date.now() : Date.parse(event.at);
    if (!Number.isFinite(at)) throw new ImportError(`${where} has an unreadable date ${JSON.stringify(event.at)}.`);
    if (!catalog.get(event.item)) unknown.push(event.item);
    byItem.delete(event.item);
    byItem.set(event.item, { item: event.item, reaction: event.reaction, at });
  });
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(', ');
    throw new ImportError(`${unknown.length} item id${unknown.length === 1 ? ' is' : 's are'} not in this catalogue (${shown}${unknown.length > 5 ? ', …' : ''}).`);
  }
  return { history: [...byItem.values()], taste: data.taste ?? '' };
}

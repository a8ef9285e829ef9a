// The person's history as a file they own: export to JSON, import from JSON. An import is
// checked completely before anything changes; any problem is one clear message and the
// current history stays as it was.
//
// Schema 2 (written since personal weights travel too) adds an optional "personal": the
// personal weights learned on this device ({residual: [numbers], trainedAt, events, initial,
// best, backend}). Schema 1 files (no weights) are still read.

import { LocalRecError } from './errors.js';
import { isReaction } from './reactions.js';

export const FILE_FORMAT = 'localrec-history';
export const FILE_SCHEMA = 2;
/** The schemas this version reads. */
export const READABLE_SCHEMAS = [1, 2];
export const MAX_IMPORT_BYTES = 5_000_000; // ≈100,000 reactions: far beyond any real list
export const MAX_EVENTS = 20_000;
export const MAX_TASTE_CHARS = 2_000;
const MAX_PERSONAL_DIM = 4_096; // the residual has the head's dimension (64 today)

/** Why an import was refused; `catalog`: the site's other catalogue the file is for, if any. */
export class ImportError extends LocalRecError {
  constructor(message, { catalog = null } = {}) {
    super('import', message);
    this.name = 'ImportError';
    this.catalog = catalog;
  }
}

/** The file's content for `profile` (names are included for people reading the file). */
export function exportHistory(profile, catalog, catalogId) {
  return {
    format: FILE_FORMAT,
    schema: FILE_SCHEMA,
    catalog: catalogId,
    exportedAt: new Date().toISOString(),
    taste: profile.taste ?? '',
    history: profile.history.map(({ item, reaction, at }) => ({
      item, name: catalog.get(item)?.title ?? null, reaction, at: new Date(at).toISOString(),
    })),
    personal: exportPersonal(profile.personal),
  };
}

function exportPersonal(personal) {
  if (!personal) return null;
  const { residual, trainedAt, events, initial, best, backend } = personal;
  return {
    residual: Array.from(residual),
    trainedAt: Number.isFinite(trainedAt) ? new Date(trainedAt).toISOString() : null,
    events: events ?? null,
    initial: initial ?? null,
    best: best ?? null,
    backend: backend ?? null,
  };
}

/**
 * Reads an import: `bytes` is the file's size, `text` its content; `personalDim`, when known,
 * the length personal weights must have; `catalogs`, the site's catalogues (`[{name, title}]`),
 * so that a file for another one is named by its title. Returns `{history, taste, personal}` (`personal`
 * null when the file has none) or throws an `ImportError` that says what is wrong.
 */
export function parseHistoryImport(text, { bytes, catalog, catalogId, personalDim = null, catalogs = [] }) {
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
  if (!READABLE_SCHEMAS.includes(data.schema)) {
    throw new ImportError(`This history file has schema ${JSON.stringify(data.schema)}; this version reads schemas ${READABLE_SCHEMAS.join(' and ')}.`);
  }
  if (data.catalog !== catalogId) {
    const title = (name) => catalogs.find((c) => c.name === name)?.title;
    const here = title(catalogId) ?? catalogId;
    if (title(data.catalog)) {
      throw new ImportError(`This history is for ${title(data.catalog)}, not ${here}: open ${title(data.catalog)} and import it there.`, { catalog: data.catalog });
    }
    throw new ImportError(`This history is for the catalogue ${JSON.stringify(data.catalog)}, which this site does not have (this is ${here}).`);
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
    if (!(Number.isInteger(event.item) || (typeof event.item === 'string' && event.item !== '' && event.item.length <= 200))) {
      throw new ImportError(`${where} has no "item" id (a whole number or a text).`);
    }
    if (!isReaction(event.reaction)) {
      throw new ImportError(`${where} has reaction ${JSON.stringify(event.reaction)}; expected "like", "dislike" or a rating 1–10.`);
    }
    const at = event.at === undefined ? Date.now() : Date.parse(event.at);
    if (!Number.isFinite(at)) throw new ImportError(`${where} has an unreadable date ${JSON.stringify(event.at)}.`);
    // The catalogue's own form of the id (a number where its ids are numbers).
    const item = catalog.idOf(event.item);
    if (item === undefined) {
      unknown.push(JSON.stringify(event.item));
      return;
    }
    byItem.delete(item);
    byItem.set(item, { item, reaction: event.reaction, at });
  });
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).join(', ');
    throw new ImportError(`${unknown.length} item id${unknown.length === 1 ? ' is' : 's are'} not in this catalogue (${shown}${unknown.length > 5 ? ', …' : ''}).`);
  }
  const personal = data.schema >= 2 ? parsePersonal(data.personal, personalDim) : null;
  return { history: [...byItem.values()], taste: data.taste ?? '', personal };
}

/** The file's personal weights (schema 2), checked like the rest; null when absent. */
function parsePersonal(personal, personalDim) {
  if (personal === undefined || personal === null) return null;
  const where = '"personal"';
  if (typeof personal !== 'object' || Array.isArray(personal)) throw new ImportError(`${where} must be an object or null.`);
  const { residual } = personal;
  if (!Array.isArray(residual) || residual.length === 0 || residual.length > MAX_PERSONAL_DIM) {
    throw new ImportError(`${where} has no "residual" list of 1–${MAX_PERSONAL_DIM} numbers.`);
  }
  if (personalDim !== null && residual.length !== personalDim) {
    throw new ImportError(`${where} has ${residual.length} weights; this model's personal weights have ${personalDim}.`);
  }
  // Every weight must be a finite number that survives the trip to 32-bit floats.
  if (!residual.every((value) => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 3.4e38)) {
    throw new ImportError(`${where} has a weight that is not a finite number.`);
  }
  const optionalNumber = (name) => {
    const value = personal[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ImportError(`${where}: "${name}" must be a number.`);
    return value;
  };
  const events = optionalNumber('events');
  if (events !== null && !(Number.isInteger(events) && events >= 0)) throw new ImportError(`${where}: "events" must be a count.`);
  let trainedAt = null;
  if (personal.trainedAt !== undefined && personal.trainedAt !== null) {
    trainedAt = typeof personal.trainedAt === 'string' ? Date.parse(personal.trainedAt) : NaN;
    if (!Number.isFinite(trainedAt)) throw new ImportError(`${where} has an unreadable date ${JSON.stringify(personal.trainedAt)}.`);
  }
  const backend = personal.backend ?? null;
  if (backend !== null && backend !== 'cpu' && backend !== 'webgpu') {
    throw new ImportError(`${where}: "backend" must be "cpu" or "webgpu".`);
  }
  return {
    residual: residual.slice(), trainedAt, events, initial: optionalNumber('initial'), best: optionalNumber('best'), backend,
  };
}

/**
 * The profile after importing `imported` (from `parseHistoryImport`) into `profile`:
 * 'replace' takes the file's reactions, taste and personal weights; 'merge' keeps both
 * histories (for an item in both, the later reaction wins), keeps this profile's taste and
 * personal weights where it has them and takes the file's otherwise.
 * Returns `{profile, summary}`; `summary` counts what changed, for the message.
 */
export function applyImport(profile, imported, mode) {
  if (mode === 'replace') {
    return {
      profile: { ...profile, history: imported.history, taste: imported.taste, personal: imported.personal },
      summary: {
        mode,
        replaced: { reactions: profile.history.length, taste: Boolean(profile.taste), personal: Boolean(profile.personal) },
        reactions: imported.history.length,
        personal: Boolean(imported.personal),
      },
    };
  }
  if (mode !== 'merge') throw new Error(`unknown import mode ${mode}`);
  const byItem = new Map(profile.history.map((event) => [event.item, event]));
  let added = 0;
  let updated = 0;
  for (const event of imported.history) {
    const mine = byItem.get(event.item);
    if (!mine) added++;
    else if (event.at > mine.at && event.reaction !== mine.reaction) updated++;
    if (!mine || event.at > mine.at) byItem.set(event.item, event);
  }
  // Oldest first, as reactions are made (a stable sort keeps ties in their order).
  const history = [...byItem.values()].sort((a, b) => a.at - b.at);
  const taste = profile.taste || imported.taste;
  const personal = profile.personal ?? imported.personal;
  return {
    profile: { ...profile, history, taste, personal },
    summary: {
      mode, added, updated, reactions: history.length,
      taste: !profile.taste && Boolean(imported.taste),
      personal: !profile.personal && Boolean(imported.personal),
    },
  };
}

/** The words for an import's `summary` ("Replaced your 4 reactions … with 3 from x.json."). */
export function describeImport(summary, fileName) {
  const count = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (summary.mode === 'replace') {
    const { replaced } = summary;
    const old = [
      replaced.reactions ? `your ${count(replaced.reactions, 'reaction')}` : null,
      replaced.taste ? 'your description' : null,
      replaced.personal ? 'your personal weights' : null,
    ].filter(Boolean);
    const incoming = `${count(summary.reactions, 'reaction')}${summary.personal ? ' and personal weights' : ''} from ${fileName}`;
    return old.length
      ? `Imported: replaced ${joinWords(old)} with ${incoming}.`
      : `Imported ${incoming}.`;
  }
  const extra = [summary.taste ? 'its description' : null, summary.personal ? 'its personal weights' : null].filter(Boolean);
  return `Merged ${fileName} into your history: ${count(summary.added, 'new reaction')}, ${summary.updated} changed`
    + `${extra.length ? `, and ${joinWords(extra)}` : ''}; ${count(summary.reactions, 'reaction')} in all.`;
}

function joinWords(parts) {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The text of a profile file as `readProfileFile` takes it (a File/Blob, its text, or its parsed
 * JSON) and its size in bytes: `{text, bytes}`. A Blob's size is checked before a byte is read:
 * a huge file is refused at once (its text left empty; parseHistoryImport says why).
 */
export async function readImportText(file) {
  if (typeof Blob !== 'undefined' && file instanceof Blob) {
    return { text: file.size <= MAX_IMPORT_BYTES ? await file.text() : '', bytes: file.size };
  }
  if (typeof file === 'string') return { text: file, bytes: new TextEncoder().encode(file).length };
  const text = JSON.stringify(file);
  return { text, bytes: text.length };
}

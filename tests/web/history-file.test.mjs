// The history import parser against hostile files (a seeded mutation fuzzer, time-boxed): every
// input is either a valid history (every item in the catalogue, every reaction valid, one per
// item, personal weights of finite numbers) or an ImportError with a message; no other
// exception, no pollution of prototypes. Also: export → import round-trips (personal weights
// included), schema 1 files still read, and merge / replace of an import into a profile.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  ImportError, MAX_EVENTS, applyImport, describeImport, exportHistory, parseHistoryImport,
} from '../../www/history-file.js';
import { isReaction } from '../../www/reactions.js';
import { animeCatalog } from './items.mjs';

const catalog = animeCatalog();
const ids = catalog.items.map((item) => item.id);
const SECONDS = Number(process.env.LOCALREC_FUZZ_SECONDS ?? 20) / 4;

// SplitMix64 in doubles is awkward: a small xorshift is enough to vary inputs reproducibly.
function random(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state % n;
  };
}

const DIM = 64;

function validFile(rand) {
  const schema = 1 + rand(2);
  return {
    format: 'localrec-history', schema, catalog: 'anime-5k', exportedAt: new Date(0).toISOString(), taste: 'mecha',
    history: Array.from({ length: 1 + rand(20) }, () => ({
      item: ids[rand(ids.length)],
      reaction: ['like', 'dislike', 1 + rand(10)][rand(3)],
      at: new Date(rand(2e9) * 1000).toISOString(),
    })),
    ...(schema === 2 && rand(3) > 0 ? {
      personal: {
        residual: Array.from({ length: DIM }, () => (rand(2001) - 1000) / 1000),
        trainedAt: new Date(rand(2e9) * 1000).toISOString(), events: 3 + rand(20), initial: 3.9, best: 3.7, backend: 'cpu',
      },
    } : {}),
  };
}

const HOSTILE = [
  null, true, 0, -1, 1.5, 1e308, -0, NaN, '', 'like', '1', '__proto__', 'x'.repeat(5000), [], {}, [[[[]]]],
  { __proto__: { polluted: 1 } }, JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: { prototype: { polluted: 1 } } },
  Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, ids[0], String(ids[0]), '2020-13-45', '\u0000', '\ud800',
];

/** Replaces one random node of `value` with a hostile value. */
function mutateTree(value, rand) {
  if (value === null || typeof value !== 'object' || rand(4) === 0) return HOSTILE[rand(HOSTILE.length)];
  const copy = Array.isArray(value) ? [...value] : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0 || rand(8) === 0) {
    const names = ['item', 'reaction', 'at', 'history', 'schema', 'format', '__proto__', 'catalog', 'taste', 'personal', 'residual', 'events', 'trainedAt', 'backend'];
    copy[names[rand(names.length)]] = HOSTILE[rand(HOSTILE.length)];
    return copy;
  }
  const key = keys[rand(keys.length)];
  copy[key] = mutateTree(copy[key], rand);
  return copy;
}

/** Random edits of the text: flips, cuts, insertions of JSON punctuation. */
function mutateText(text, rand) {
  const chars = [...text];
  for (let k = 0; k < 1 + rand(4); k++) {
    const at = rand(chars.length + 1);
    const op = rand(3);
    if (op === 0) chars.splice(at, 1 + rand(5));
    else if (op === 1) chars.splice(at, 0, '{}[]",:0-e\\'[rand(12)]);
    else chars[at] = String.fromCharCode(rand(0x3000));
  }
  return chars.join('');
}

function check(text) {
  let result;
  try {
    result = parseHistoryImport(text, { bytes: Buffer.byteLength(text), catalog, catalogId: 'anime-5k', personalDim: DIM });
  } catch (error) {
    assert.ok(error instanceof ImportError, `not an ImportError: ${error?.stack ?? error} for ${text.slice(0, 200)}`);
    assert.ok(error.message.length > 10);
    return 'refused';
  }
  assert.ok(Array.isArray(result.history) && result.history.length <= MAX_EVENTS);
  assert.equal(typeof result.taste, 'string');
  const seen = new Set();
  for (const event of result.history) {
    assert.ok(catalog.get(event.item), `unknown item ${event.item} accepted`);
    assert.ok(isReaction(event.reaction), `bad reaction ${event.reaction} accepted`);
    assert.ok(Number.isFinite(event.at));
    assert.ok(!seen.has(event.item), 'one reaction per item');
    seen.add(event.item);
  }
  if (result.personal !== null) {
    assert.equal(result.personal.residual.length, DIM, 'personal weights of the model\'s size');
    assert.ok(result.personal.residual.every((x) => typeof x === 'number' && Number.isFinite(x)), 'finite weights');
    for (const name of ['trainedAt', 'events', 'initial', 'best']) {
      assert.ok(result.personal[name] === null || Number.isFinite(result.personal[name]), `${name}: ${result.personal[name]}`);
    }
    assert.ok([null, 'cpu', 'webgpu'].includes(result.personal.backend));
  }
  return 'accepted';
}

test('mutated history files are imported correctly or refused with an ImportError', () => {
  const rand = random(Number(process.env.LOCALREC_FUZZ_SEED ?? 2026));
  const counts = { accepted: 0, refused: 0 };
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    const file = validFile(rand);
    const text = rand(2) === 0 ? JSON.stringify(mutateTree(file, rand)) : mutateText(JSON.stringify(file), rand);
    counts[check(text ?? 'undefined')]++;
  }
  assert.equal(({}).polluted, undefined, 'no prototype pollution');
  assert.ok(counts.accepted > 10 && counts.refused > 10, JSON.stringify(counts));
  console.log(`history import: ${counts.accepted} accepted, ${counts.refused} refused, no other outcome`);
});

test('a valid file round-trips', () => {
  const rand = random(7);
  const file = validFile(rand);
  const { history } = parseHistoryImport(JSON.stringify(file), { bytes: 1, catalog, catalogId: 'anime-5k' });
  const last = new Map(file.history.map((e) => [e.item, e.reaction]));
  assert.deepEqual(new Map(history.map((e) => [e.item, e.reaction])), last);
});

const read = (data, options = {}) => parseHistoryImport(JSON.stringify(data), { bytes: 1, catalog, catalogId: 'anime-5k', personalDim: DIM, ...options });

const profileWithWeights = {
  schema: 1,
  history: [{ item: ids[0], reaction: 'like', at: 1_700_000_000_000 }, { item: ids[1], reaction: 7, at: 1_700_000_100_000 }],
  taste: 'giant robots',
  personal: {
    residual: Array.from({ length: DIM }, (_, i) => Math.fround(Math.sin(i) / 10)),
    trainedAt: 1_700_000_200_000, events: 2, initial: 3.923, best: 3.693, backend: 'cpu',
  },
};

test('an export carries the personal weights (schema 2), and importing it gives the same profile', () => {
  const file = exportHistory(profileWithWeights, catalog, 'anime-5k');
  assert.equal(file.schema, 2);
  assert.equal(file.personal.residual.length, DIM);
  const back = read(JSON.parse(JSON.stringify(file)));
  assert.deepEqual(back.history, profileWithWeights.history);
  assert.equal(back.taste, profileWithWeights.taste);
  assert.deepEqual(back.personal, profileWithWeights.personal, 'weights and their facts, exactly');
  // Without weights: null, not a missing field.
  assert.equal(exportHistory({ ...profileWithWeights, personal: null }, catalog, 'anime-5k').personal, null);
  assert.equal(read(exportHistory({ ...profileWithWeights, personal: null }, catalog, 'anime-5k')).personal, null);
});

test('schema 1 files (no weights) are still read; bad weights are refused with a message', () => {
  const v1 = { format: 'localrec-history', schema: 1, catalog: 'anime-5k', history: [{ item: ids[0], reaction: 'like' }] };
  assert.equal(read(v1).personal, null);
  assert.equal(read({ ...v1, personal: profileWithWeights.personal }).personal, null, 'schema 1 has no weights to read');
  assert.throws(() => read({ ...v1, schema: 3 }), /schema 3; this version reads schemas 1 and 2/);
  const v2 = { ...v1, schema: 2 };
  const weights = (residual, extra = {}) => ({ ...v2, personal: { residual, ...extra } });
  const cases = [
    [weights('nope'), /no "residual" list/],
    [weights([]), /no "residual" list/],
    [weights(Array(DIM - 1).fill(0)), /63 weights; this model's personal weights have 64/],
    [weights([...Array(DIM - 1).fill(0), null]), /not a finite number/],
    [weights([...Array(DIM - 1).fill(0), '1']), /not a finite number/],
    [weights([...Array(DIM - 1).fill(0), 1e39]), /not a finite number/],
    [weights(Array(DIM).fill(0), { events: -1 }), /"events" must be a count/],
    [weights(Array(DIM).fill(0), { trainedAt: 'yesterday' }), /unreadable date/],
    [weights(Array(DIM).fill(0), { backend: 'tpu' }), /"backend" must be/],
    [{ ...v2, personal: [1, 2] }, /must be an object or null/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => read(data), (error) => error instanceof ImportError && message.test(error.message), JSON.stringify(data).slice(0, 120));
  }
  assert.equal(read(weights(Array(DIM).fill(0))).personal.residual.length, DIM);
});

test('replace takes the file\'s profile and says what it replaced; merge keeps both', () => {
  const imported = {
    history: [{ item: ids[1], reaction: 'dislike', at: 1_700_000_500_000 }, { item: ids[2], reaction: 3, at: 1_600_000_000_000 }],
    taste: '',
    personal: null,
  };
  const replaced = applyImport(profileWithWeights, imported, 'replace');
  assert.deepEqual(replaced.profile.history, imported.history);
  assert.equal(replaced.profile.personal, null);
  assert.equal(replaced.profile.taste, '');
  assert.equal(describeImport(replaced.summary, 'old.json'),
    'Imported: replaced your 2 reactions, your description and your personal weights with 2 reactions from old.json.');
  const intoEmpty = applyImport({ schema: 1, history: [], taste: '', personal: null }, imported, 'replace');
  assert.equal(describeImport(intoEmpty.summary, 'x.json'), 'Imported 2 reactions from x.json.');

  const merged = applyImport(profileWithWeights, imported, 'merge');
  // ids[1]: the file's dislike is newer than the saved rating, so it wins; ids[2] is new.
  assert.deepEqual(merged.profile.history, [
    { item: ids[2], reaction: 3, at: 1_600_000_000_000 },
    { item: ids[0], reaction: 'like', at: 1_700_000_000_000 },
    { item: ids[1], reaction: 'dislike', at: 1_700_000_500_000 },
  ]);
  assert.equal(merged.profile.taste, 'giant robots');
  assert.deepEqual(merged.profile.personal, profileWithWeights.personal);
  assert.equal(describeImport(merged.summary, 'old.json'), 'Merged old.json into your history: 1 new reaction, 1 changed; 3 reactions in all.');
  // An older reaction in the file does not overwrite a newer one here.
  const older = applyImport(profileWithWeights, { history: [{ item: ids[0], reaction: 2, at: 1 }], taste: 'x', personal: null }, 'merge');
  assert.deepEqual(older.profile.history.find((e) => e.item === ids[0]).reaction, 'like');
  assert.equal(older.profile.taste, 'giant robots');
});

test('a file for another catalogue of the site is named by its title, with the catalogue to open', () => {
  const catalogs = [{ name: 'anime-5k', title: 'Anime' }, { name: 'goodbooks-10k', title: 'Books' }];
  const file = { format: 'localrec-history', schema: 1, catalog: 'goodbooks-10k', history: [] };
  assert.throws(() => read(file, { catalogs }), (error) => error instanceof ImportError
    && error.message === 'This history is for Books, not Anime: open Books and import it there.' && error.catalog === 'goodbooks-10k');
  assert.throws(() => read({ ...file, catalog: 'films' }, { catalogs }), (error) => error.catalog === null
    && /catalogue "films", which this site does not have \(this is Anime\)/.test(error.message));
});

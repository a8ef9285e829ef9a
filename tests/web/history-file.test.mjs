// The history import parser against hostile files (a seeded mutation fuzzer, time-boxed): every
// input is either a valid history (every item in the catalogue, every reaction valid, one per
// item) or an ImportError with a message; no other exception, no pollution of prototypes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Catalog } from '../../www/catalog.js';
import { ImportError, MAX_EVENTS, parseHistoryImport } from '../../www/history-file.js';
import { isReaction } from '../../www/reactions.js';

const catalog = Catalog.fromTsv(readFileSync(new URL('../../data/anime-5k/items.tsv', import.meta.url), 'utf8'));
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

function validFile(rand) {
  return {
    format: 'localrec-history', schema: 1, catalog: 'anime-5k', exportedAt: new Date(0).toISOString(), taste: 'mecha',
    history: Array.from({ length: 1 + rand(20) }, () => ({
      item: ids[rand(ids.length)],
      reaction: ['like', 'dislike', 1 + rand(10)][rand(3)],
      at: new Date(rand(2e9) * 1000).toISOString(),
    })),
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
    copy[['item', 'reaction', 'at', 'history', 'schema', 'format', '__proto__', 'catalog', 'taste'][rand(9)]] = HOSTILE[rand(HOSTILE.length)];
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
    result = parseHistoryImport(text, { bytes: Buffer.byteLength(text), catalog, catalogId: 'anime-5k' });
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

test('a valid export round-trips', () => {
  const rand = random(7);
  const file = validFile(rand);
  const { history } = parseHistoryImport(JSON.stringify(file), { bytes: 1, catalog, catalogId: 'anime-5k' });
  const last = new Map(file.history.map((e) => [e.item, e.reaction]));
  assert.deepEqual(new Map(history.map((e) => [e.item, e.reaction])), last);
});

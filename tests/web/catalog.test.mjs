// The page's catalogue: parsing, search, and the item sentence it shows being the one the
// crate embeds (bench/item_texts.txt was written by the crate's `Item::text`).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Catalog, itemText } from '../../www/catalog.js';

const catalog = Catalog.fromTsv(readFileSync(new URL('../../data/anime-5k/items.tsv', import.meta.url), 'utf8'));

test('the page builds item sentences exactly as the crate does', () => {
  const texts = new Set(catalog.items.map(itemText));
  const fromCrate = readFileSync(new URL('../../bench/item_texts.txt', import.meta.url), 'utf8').trim().split('\n');
  assert.ok(fromCrate.length >= 256);
  for (const line of fromCrate) assert.ok(texts.has(line), line);
});

test('search matches every word, names that start with the query first', () => {
  assert.equal(catalog.items.length, 7390);
  const hits = catalog.search('cowboy bebop');
  assert.equal(hits[0].name, 'Cowboy Bebop');
  assert.ok(hits.every((item) => /cowboy/i.test(item.name) && /bebop/i.test(item.name)));
  assert.ok(catalog.search('mecha space').every((item) => item.genres.includes('Mecha') && /space/i.test(`${item.name} ${item.genres}`)));
  assert.deepEqual(catalog.search('   '), []);
  assert.equal(catalog.search('a', 5).length, 5);
});

test('a file with another header is refused', () => {
  assert.throws(() => Catalog.fromTsv('id\tname\n1\tx\n'), /unexpected header/);
});

test('the exact title comes first, then titles that start with the query', () => {
  const hits = catalog.search('Mobile Suit Gundam');
  assert.equal(hits[0].name, 'Mobile Suit Gundam');
  const prefixed = hits.slice(1).findIndex((item) => !item.name.toLowerCase().startsWith('mobile suit gundam'));
  const rest = prefixed < 0 ? [] : hits.slice(1 + prefixed);
  assert.ok(rest.every((item) => !item.name.toLowerCase().startsWith('mobile suit gundam')), 'every prefix match before any other');
  assert.equal(catalog.search('mobile suit gundam')[0].name, 'Mobile Suit Gundam', 'case does not matter');
  // A title match beats a genre match: "gundam" titles before anything else.
  assert.ok(/gundam/i.test(catalog.search('gundam')[0].name));
});

test('a search says how many match in all, beyond the page shown', () => {
  const { items, total } = catalog.searchPage('comedy', 30);
  assert.equal(items.length, 30);
  assert.ok(total > 30, `${total} comedies`);
  assert.equal(catalog.searchPage('comedy', 60).items.slice(0, 30).map((i) => i.id).join(), items.map((i) => i.id).join(), 'a longer page starts with the same items');
  assert.deepEqual(catalog.searchPage('  ', 30), { items: [], total: 0 });
});

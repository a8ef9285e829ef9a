// The page's catalogue (items as the crate gives them): lookup by id in either form, and search
// over titles and the shown fields, exact and prefix title matches first.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Catalog } from '../../www/catalog.js';
import { animeCatalog, booksCatalog } from './items.mjs';

const catalog = animeCatalog();

test('search matches every word in the title or the shown fields', () => {
  assert.equal(catalog.items.length, 7390);
  const hits = catalog.search('cowboy bebop');
  assert.equal(hits[0].title, 'Cowboy Bebop');
  assert.ok(hits.every((item) => /cowboy/i.test(item.title) && /bebop/i.test(item.title)));
  assert.ok(catalog.search('mecha space').every((item) => item.fields.genres.includes('Mecha') && /space/i.test(`${item.title} ${item.fields.genres}`)));
  assert.ok(catalog.search('movie', 50).length === 50, 'the format column is searched');
  assert.deepEqual(catalog.search('   '), []);
  assert.equal(catalog.search('a', 5).length, 5);
});

test('the exact title comes first, then titles that start with the query', () => {
  const hits = catalog.search('Mobile Suit Gundam');
  assert.equal(hits[0].title, 'Mobile Suit Gundam');
  const prefixed = hits.slice(1).findIndex((item) => !item.title.toLowerCase().startsWith('mobile suit gundam'));
  const rest = prefixed < 0 ? [] : hits.slice(1 + prefixed);
  assert.ok(rest.every((item) => !item.title.toLowerCase().startsWith('mobile suit gundam')), 'every prefix match before any other');
  assert.equal(catalog.search('mobile suit gundam')[0].title, 'Mobile Suit Gundam', 'case does not matter');
  // A title match beats a genre match: "gundam" titles before anything else.
  assert.ok(/gundam/i.test(catalog.search('gundam')[0].title));
});

test('a search says how many match in all, beyond the page shown', () => {
  const { items, total } = catalog.searchPage('comedy', 30);
  assert.equal(items.length, 30);
  assert.ok(total > 30, `${total} comedies`);
  assert.equal(catalog.searchPage('comedy', 60).items.slice(0, 30).map((i) => i.id).join(), items.map((i) => i.id).join(), 'a longer page starts with the same items');
  assert.deepEqual(catalog.searchPage('  ', 30), { items: [], total: 0 });
});

test('ids are found as numbers or as the text an attribute holds; text ids too', () => {
  const first = catalog.items[0];
  assert.equal(catalog.get(first.id), first);
  assert.equal(catalog.get(String(first.id)), first);
  assert.equal(catalog.idOf(String(first.id)), first.id);
  const books = new Catalog([{ id: 'isbn-1', title: 'A', fields: { authors: 'X', year: '' }, text: 'A by X.' }], ['authors', 'year']);
  assert.equal(books.get('isbn-1').title, 'A');
  assert.equal(books.idOf(1), undefined);
  assert.deepEqual(books.fieldsOf(books.items[0]), ['X'], 'empty fields are left out');
});

test("an author's name finds their books before books that merely mention it", () => {
  const books = booksCatalog();
  // "sayers": Dorothy L. Sayers, not the translator Margaret Sayers Peden.
  assert.ok(books.search('sayers', 5).every((b) => b.fields.authors.startsWith('Dorothy L. Sayers')), books.search('sayers', 5).map((b) => b.fields.authors).join(' / '));
  // "christie": her novels before a companion book with her name in its title.
  const christie = books.search('christie', 10);
  assert.ok(christie.every((b) => b.fields.authors.startsWith('Agatha Christie')), christie.map((b) => `${b.title} (${b.fields.authors})`).join(' / '));
  // A title still comes first where the query is its start.
  assert.equal(books.search('the hobbit')[0].title, 'The Hobbit');
});

test('search ignores accents, in the catalogue and in the query', () => {
  const dishes = new Catalog(
    [
      { id: 1, title: 'Phở bò', fields: { cuisine: 'Vietnamese' } },
      { id: 2, title: 'Crème brûlée', fields: { cuisine: 'French' } },
      { id: 3, title: 'Tiramisù', fields: { cuisine: 'Italian' } },
      { id: 4, title: 'Smørrebrød', fields: { cuisine: 'Danish' } },
      { id: 5, title: 'Pho-style broth', fields: { cuisine: 'Fusion' } },
      { id: 6, title: 'Crepes', fields: { cuisine: 'Crêperie français' } },
    ],
    ['cuisine'],
  );
  const titles = (query) => dishes.search(query).map((item) => item.title);
  assert.deepEqual(titles('pho'), ['Phở bò', 'Pho-style broth'], 'the exact form of the title first');
  assert.deepEqual(titles('creme brulee'), ['Crème brûlée']);
  assert.deepEqual(titles('tiramisu'), ['Tiramisù']);
  assert.deepEqual(titles('smorrebrod'), ['Smørrebrød']);
  assert.deepEqual(titles('PHỞ'), ['Phở bò', 'Pho-style broth'], 'an accented query finds both');
  assert.deepEqual(titles('francais'), ['Crepes'], 'shown fields too');
  assert.deepEqual(titles('brulee creme'), ['Crème brûlée'], 'every word, in any order');
  assert.deepEqual(titles('pho bo'), ['Phở bò']);
});

test('shown fields read as their labels say', () => {
  const dishes = new Catalog(
    [
      { id: 1, title: 'Tiramisù', fields: { cuisine: 'Italian', minutes: '30', serves: '' } },
      { id: 2, title: 'Curry night', fields: { cuisine: '', minutes: '', serves: '4' } },
    ],
    ['cuisine', 'minutes', 'serves'],
    { minutes: '{} min', serves: 'serves {}' },
  );
  assert.deepEqual(dishes.fieldsOf(dishes.get(1)), ['Italian', '30 min'], 'an empty field is left out, label and all');
  assert.deepEqual(dishes.fieldsOf(dishes.get(2)), ['serves 4']);
  assert.deepEqual(new Catalog(dishes.items, dishes.columns).fieldsOf(dishes.get(1)), ['Italian', '30'], 'no labels: values as they are');
  const dollars = new Catalog([{ id: 3, title: 'X', fields: { price: '$$' } }], ['price'], { price: 'costs {}' });
  assert.deepEqual(dollars.fieldsOf(dollars.get(3)), ['costs $$'], 'a value is never read as a replacement pattern');
});

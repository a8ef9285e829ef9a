// The anime-5k items as the crate hands them to the page (`loadCatalog`'s `items`): read here
// from data/anime-5k/items.csv with a small CSV reader (quoted fields, doubled quotes), for the
// front end's unit tests, which run without wasm.

import { readFileSync } from 'node:fs';

import { Catalog } from '../../www/catalog.js';

export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

export function animeCatalog() {
  const [header, ...rows] = parseCsv(readFileSync(new URL('../../data/anime-5k/items.csv', import.meta.url), 'utf8'));
  const at = (name) => header.indexOf(name);
  const items = rows.map((r) => ({
    id: Number(r[at('id')]),
    title: r[at('name')],
    fields: { genres: r[at('genres')], format: r[at('format')] },
    text: '',
  }));
  return new Catalog(items, ['genres', 'format']);
}

/** The goodbooks-10k items as the page gets them (titles, authors, years). */
export function booksCatalog() {
  const [header, ...rows] = parseCsv(readFileSync(new URL('../../data/goodbooks-10k/items.csv', import.meta.url), 'utf8'));
  const at = (name) => header.indexOf(name);
  const items = rows.filter((r) => r.length > 1).map((r) => ({
    id: Number(r[at('id')]),
    title: r[at('title')],
    fields: { authors: r[at('authors')], year: r[at('year')] },
    text: '',
  }));
  return new Catalog(items, ['authors', 'year']);
}

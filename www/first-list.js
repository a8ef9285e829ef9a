// @ts-check
// The list a new visitor sees first, made when the site was built (first-list.json: what the
// page's engine answers for no reactions and no taste; see FirstList in src/contract.rs). The
// library hands it to the page before the wasm and the catalogue's files are here, where the
// person's profile is still empty; the engine's own list replaces it once the engine is up.

import { Catalog } from './catalog.js';
import { fetchVerified } from './model-cache.js';

/**
 * The catalogue's first list (`file`: its site.js entry; none for a site built without one) →
 * `{basis, items: [{item, fields, reason}]}`, each `item` as the catalogue describes it and
 * `fields` its shown columns in words; null where there is none or it could not be had (the
 * engine's list follows either way, so this one is never worth an error).
 * @param {any} file
 */
export async function readFirstList(file) {
  if (!file) return null;
  try {
    const bytes = await fetchVerified(file);
    const list = JSON.parse(new TextDecoder().decode(bytes));
    const items = list.items.map((/** @type {any} */ row) => row.item);
    const catalog = new Catalog(items, list.columns, list.labels);
    return {
      basis: list.basis,
      items: list.items.map((/** @type {any} */ row) => ({ item: row.item, fields: catalog.fieldsOf(row.item), reason: row.reason })),
    };
  } catch {
    return null;
  }
}

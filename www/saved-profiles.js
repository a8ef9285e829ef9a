// @ts-check
// The profiles a page keeps in this browser, across catalogues and namespaces: listing them as
// `savedProfiles` shows them (the open catalogue's first) and deleting every catalogue's at
// once ("Delete everything"). localrec.js's `savedProfiles` and `deleteProfile` use it; one
// catalogue's own profile is profile.js's.

import { announceChange } from './profile.js';
import { catalogOfKey, deleteProfiles, lastCatalogKey, listProfiles } from './profile-store.js';

/**
 * The profiles stored for `namespace` (with `everyNamespace`, every page's of this origin):
 * `[{key, catalog, title, namespace, reactions, taste, personal}]`, empty ones included, the
 * open catalogue's first, then this namespace's, then by title. `titles`: catalogue → title.
 */
export async function storedProfiles({ namespace, everyNamespace = false, titles, openCatalog }) {
  // A key → [namespace, catalogue] (the catalogue undefined where the key is another page's).
  const split = (key) => {
    if (!everyNamespace) return [namespace, catalogOfKey(namespace, key)];
    const slash = key.indexOf('/');
    const keyNamespace = slash < 0 ? '' : key.slice(0, slash);
    return [keyNamespace, catalogOfKey(keyNamespace, key)];
  };
  const found = await listProfiles((key) => split(key)[1] !== undefined);
  const first = (p) => p.namespace === namespace && p.catalog === openCatalog;
  return found
    .map(({ key, profile }) => {
      const [keyNamespace, catalog] = split(key);
      return {
        key, catalog, title: titles.get(catalog) ?? catalog, namespace: keyNamespace, reactions: profile?.history?.length ?? 0,
        taste: Boolean(profile?.taste), personal: Boolean(profile?.personal),
      };
    })
    .sort((a, b) => Number(first(b)) - Number(first(a)) || Number(a.namespace !== namespace) - Number(b.namespace !== namespace)
      || a.title.localeCompare(b.title));
}

/** The profiles of `stored` a person would call saved (not empty), as the public API says them (no keys). */
export const shownProfiles = (stored) => stored.filter((p) => p.reactions > 0 || p.taste || p.personal).map(({ key, ...p }) => p);

/**
 * Deletes the profiles in `stored` of catalogues other than the open one (its own is deleted
 * by its Profile) and, with `everyCatalog`, which catalogue was opened last; tabs showing them
 * hear of it.
 */
export async function deleteOtherProfiles(stored, { namespace, openCatalog, everyCatalog }) {
  const others = [...stored.filter((p) => p.catalog !== openCatalog).map((p) => p.key),
    ...(everyCatalog ? [lastCatalogKey(namespace)] : [])];
  if (others.length === 0) return;
  await deleteProfiles(others);
  for (const key of others) if (catalogOfKey(namespace, key)) announceChange(key);
}

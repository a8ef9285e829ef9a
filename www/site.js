// The site's manifest (site.json, written by `localrec build-site`): its catalogues, the model,
// and every file's size and sha256. Every path in it is relative to the site's root, so a site
// works under any sub-path. Used by the library (page) and the worker.

import { LocalRecError } from './errors.js';

export const SITE_FORMAT = 'localrec-site';
export const SITE_VERSION = 1;

/** What is wrong with the site's manifest, or what it lacks (code 'site'). */
export class SiteError extends LocalRecError {
  constructor(message) {
    super('site', message);
    this.name = 'SiteError';
  }
}

/**
 * Checks `manifest` (site.json's content) and returns it with its files indexed. `gzipCopies`:
 * the host sends files as they are, so each file's `.gz` copy is fetched instead where the
 * build wrote one (see gzip-copies.js).
 */
export function readSite(manifest, siteUrl, { gzipCopies = false } = {}) {
  if (manifest?.format !== SITE_FORMAT) throw new SiteError(`${new URL('site.json', siteUrl)} is not a localrec site manifest`);
  if (manifest.version !== SITE_VERSION) {
    throw new SiteError(`the site's manifest has version ${JSON.stringify(manifest.version)}; this library reads version ${SITE_VERSION}`);
  }
  if (!Array.isArray(manifest.catalogs) || manifest.catalogs.length === 0) throw new SiteError('the site lists no catalogues');
  if (!Array.isArray(manifest.files)) throw new SiteError('the site lists no files');
  const files = new Map(manifest.files.map((file) => [file.path, file]));
  const entry = (path, name = path.split('/').pop()) => {
    const listed = files.get(path);
    if (!listed || !Number.isInteger(listed.bytes) || typeof listed.sha256 !== 'string') {
      throw new SiteError(`the site's manifest does not list ${path}`);
    }
    const url = new URL(path, siteUrl).href;
    const gzipUrl = gzipCopies && Number.isInteger(listed.encoded?.gz) ? `${url}.gz` : undefined;
    return { name, path, url, bytes: listed.bytes, sha256: listed.sha256, gzipUrl };
  };
  /** Whether the manifest lists `path` (`entry` throws for a path it does not). */
  const listed = (path) => files.has(path);
  return { manifest, url: String(siteUrl), gzipCopies, entry, listed };
}

/** The catalogue called `name` (the first one when `name` is empty). */
export function findCatalog(site, name) {
  const { catalogs } = site.manifest;
  if (!name) return catalogs[0];
  const found = catalogs.find((c) => c.name === name);
  if (!found) {
    throw new SiteError(`this site has no catalogue ${JSON.stringify(name)} (it has ${catalogs.map((c) => JSON.stringify(c.name)).join(', ')})`);
  }
  return found;
}

/**
 * A catalogue's files: `{manifest, items, textVectors?, head?, itemItemIndex?, itemTable?, adapter?, firstList?}`, each `{name,
 * path, url, bytes, sha256, gzipUrl?}` (the text vectors may be left out where the head's item table is there).
 */
export function catalogFiles(site, catalog) {
  const out = {};
  for (const [role, file] of Object.entries(catalog.files ?? {})) out[role] = site.entry(`${catalog.path}${file}`);
  for (const role of ['manifest', 'items', out.itemTable ? null : 'textVectors'].filter(Boolean)) {
    if (!out[role]) throw new SiteError(`the catalogue ${catalog.name} has no ${role} file`);
  }
  return out;
}

/**
 * The bytes loading the language model downloads for `catalog` (at most: what is cached is read
 * instead): the model's files, the catalogue's adapter, and its text vectors where its first
 * list goes without them.
 */
export function encoderBytes(site, catalog, weights = 'int8') {
  const files = catalogFiles(site, catalog);
  const more = [files.adapter, files.itemTable ? files.textVectors : null].filter(Boolean);
  return [...modelFiles(site, weights), ...more].reduce((sum, file) => sum + file.bytes, 0);
}

/** The model's weights the library can load: 'int8' (compact, the default) and 'f32'. */
export const MODEL_WEIGHTS = ['int8', 'f32'];

/**
 * The model's files, in the site's order (config, tokenizer, weights). `weights`: 'int8' takes
 * the site's default list (`model.files`: the compact weights); 'f32' puts `model.weights.f32`
 * in place of the weights.
 */
export function modelFiles(site, weights = 'int8') {
  const { model } = site.manifest;
  if (!model?.path || !Array.isArray(model.files)) throw new SiteError('the site has no model');
  if (!MODEL_WEIGHTS.includes(weights)) throw new SiteError(`unknown model weights ${JSON.stringify(weights)} (expected 'int8' or 'f32')`);
  let names = model.files;
  if (weights === 'f32') {
    const f32 = model.weights?.f32;
    if (!f32) throw new SiteError('the site has no f32 weights for its model');
    names = [...names.slice(0, -1), f32];
  }
  return names.map((name) => site.entry(`${model.path}${name}`, name));
}

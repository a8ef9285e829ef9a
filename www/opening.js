// @ts-check
// What `LocalRec.open` does before there is an engine: checks the options, reads the site's
// manifest (site.json, with one HEAD request beside it that tells how the host sends files) and
// picks the catalogue (the one named, or the one this page opened last, or the site's first).
// The engine's start is localrec.js's.

import { LocalRecError, aborted } from './errors.js';
import { PROBED_FILE, probeHost, sendsFilesAsTheyAre } from './gzip-copies.js';
import { lastCatalogKey, readRecord, writeRecord } from './profile-store.js';
import { MODEL_WEIGHTS, findCatalog, modelFiles, readSite } from './site.js';

const BACKENDS = ['auto', 'webgpu', 'cpu'];
const here = () => globalThis.document?.baseURI ?? globalThis.location?.href;

/** Throws a LocalRecError ('bad-request') for an option `open` cannot use. */
export function checkOpenOptions({ backend, profileNamespace, weights, encoder }) {
  if (!BACKENDS.includes(backend)) throw new LocalRecError('bad-request', `unknown backend ${JSON.stringify(backend)}`);
  if (![true, false, 'auto'].includes(encoder)) throw new LocalRecError('bad-request', `encoder must be true, false or 'auto', not ${JSON.stringify(encoder)}`);
  if (typeof profileNamespace !== 'string' || profileNamespace.includes('/')) {
    throw new LocalRecError('bad-request', `profileNamespace must be text without '/', not ${JSON.stringify(profileNamespace)}`);
  }
  if (!MODEL_WEIGHTS.includes(weights)) throw new LocalRecError('bad-request', `unknown model weights ${JSON.stringify(weights)} (expected 'int8' or 'f32')`);
}

/**
 * The site at `site` (a URL, relative to the page) read and checked, and its catalogue:
 * `{siteUrl, read, entry}` (see site.js). `rememberCatalog`: with no `catalog` named, the one
 * this page (`profileNamespace`) opened last, where the site still has it; the one opened is
 * remembered.
 */
export async function readSiteAndCatalog({ site, catalog, weights, profileNamespace, rememberCatalog }, signal) {
  const siteUrl = new URL(site, here());
  if (!siteUrl.pathname.endsWith('/')) siteUrl.pathname += '/';
  // How the host sends files is asked beside site.json, so it costs no round trip.
  const probing = probeHost(siteUrl, signal);
  let manifest;
  try {
    const response = await fetch(new URL('site.json', siteUrl), { cache: 'no-cache', signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    manifest = await response.json();
  } catch (error) {
    if (signal?.aborted) throw aborted('opening');
    throw new LocalRecError('site', `could not read ${new URL('site.json', siteUrl)}: ${error.message}`, { cause: error });
  }
  const probed = manifest?.files?.find?.((file) => file?.path === PROBED_FILE);
  const gzipCopies = sendsFilesAsTheyAre(await probing, probed?.bytes);
  const read = readSite(manifest, siteUrl, { gzipCopies });
  if (!catalog && rememberCatalog) {
    // The catalogue this page opened last, where the site still has it.
    const last = (await readRecord(lastCatalogKey(profileNamespace)))?.catalog;
    if (read.manifest.catalogs.some((c) => c.name === last)) catalog = last;
  }
  const entry = findCatalog(read, catalog);
  if (rememberCatalog) writeRecord(lastCatalogKey(profileNamespace), { catalog: entry.name });
  modelFiles(read, weights); // a site without f32 weights says so now
  return { siteUrl, read, entry };
}

// The language model's word table by need. A site's compact model comes without it (a third of
// its bytes): its rows come in shards by token id (site.json's `model.wordShards`), fetched for
// the word pieces of the texts the model reads, so a taste sentence pulls about four shards
// (0.1 MB) where the whole table is 5.5 MB on the way to the taste box. The engine names the
// shards a text needs and lacks, and refuses to embed it until they are added: never a vector
// from missing rows. Each shard is checked against site.json's size and sha256 (a mismatch is a
// 'checksum' or 'size' error), kept in the Cache API (its name is its content's hash, so a
// cached copy never goes stale; offline, the words once used are there) and held by the engine
// once added. Runs in the worker.

import { SiteError } from './site.js';
import { addShards, forgetOldShards } from './item-item-rows.js';

export const WORDS_CACHE = 'localrec-word-rows';

/**
 * The word table's shards of the site's `weights` ('int8' | 'f32'), in token order:
 * `[{name, path, url, bytes, sha256}]`; empty where the weights hold the table (the f32 file,
 * or a site built before the table came in shards).
 */
export function wordShardFiles(site, weights) {
  const { model } = site.manifest;
  const shards = weights === 'int8' ? model.wordShards ?? [] : [];
  if (!Array.isArray(shards)) throw new SiteError('the model\'s wordShards is not a list');
  return shards.map(({ file, rows }) => {
    const entry = site.entry(`${model.path}${file}`);
    const which = Array.isArray(rows) ? `${rows[0]}–${rows[1] - 1}` : file;
    return { ...entry, name: `the language model's words ${which} (${entry.path})` };
  });
}

/**
 * Adds to `engine` the word shards that embedding `texts` needs and it lacks, from `files`
 * (wordShardFiles). → `{shards, bytes, fromCache, millis}`. A shard that cannot be had rejects
 * (code 'network', 'size' or 'checksum'), after the others are added: a retry fetches the rest.
 */
export function addWords(engine, files, texts) {
  return addShards(engine.missingWordShards(texts), files, (bytes) => engine.addWordShard(bytes), WORDS_CACHE);
}

/** Drops cached word shards that the site's model no longer lists (an earlier build's). Never rejects. */
export function forgetOldWords(site, files) {
  return forgetOldShards(new URL(site.manifest.model.path, site.url).href, files, WORDS_CACHE);
}

// The page's engine alone, in Node: the list after a like whose item–item rows are here (what a
// cached like costs in the worker, without the page around it), on a built site, on the CPU in
// one thread as the page's worker runs it. With two builds of the wasm (wasm-bindgen's output
// folders, e.g. pkg/ before and after a change), they take turns, so that the machine's drift
// falls on both. Histories of 1, 2 and 3 likes (the site's first list, in order); with `--taste`,
// each list also has a taste sentence (a fixed unit vector, seeded: the engine's cost does not
// depend on which sentence), with the catalogue's text vectors attached. Not part of the tests.
//   node bench/engine-list.mjs --site /tmp/localrec-growth/100000-site [--lists 30] [--rounds 2] [--taste] [PKG_DIR…]

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const site = option('site', null);
const lists = Number(option('lists', 30));
const rounds = Number(option('rounds', 2));
const withTaste = args.includes('--taste');
if (withTaste) args.splice(args.indexOf('--taste'), 1);
const builds = args.length ? args.map((dir) => resolve(dir)) : [fileURLToPath(new URL('../pkg/', import.meta.url))];
if (!site) throw new Error('--site SITE_DIR: a folder build-site wrote (its first catalogue is used)');

const manifest = JSON.parse(readFileSync(join(site, 'site.json'), 'utf8'));
const catalog = manifest.catalogs[0];
const file = (name) => readFileSync(join(site, catalog.path, name));
const role = (name) => (catalog.files[name] ? file(catalog.files[name]) : undefined);
const liked = JSON.parse(file(catalog.files.firstList)).items.map((row) => row.item.id);

/** One build's engine with the catalogue and all its item–item rows loaded. */
async function engineOf(dir) {
  const { initSync, Engine } = await import(join(dir, 'localrec.js'));
  initSync({ module: readFileSync(join(dir, 'localrec_bg.wasm')) });
  const engine = await Engine.create('cpu');
  engine.loadCatalog({
    manifest: role('manifest'), items: role('items'), textVectors: catalog.files.itemTable ? undefined : role('textVectors'),
    head: role('head'), itemTable: role('itemTable'), itemItem: role('itemItemIndex'),
  });
  for (const shard of catalog.itemItemShards ?? []) engine.addItemItemShard(file(shard.file));
  if (withTaste && !engine.hasTextVectors) engine.attachTextVectors(role('textVectors'));
  return engine;
}

/** A unit vector of the language model's width (384), the same for every build and list. */
function tasteVector(width = 384) {
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const v = Array.from({ length: width }, next);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
const tastes = withTaste ? { tastes: [tasteVector()], tasteTexts: ['a taste'] } : {};

const engines = [];
for (const dir of builds) engines.push(await engineOf(dir));
const times = builds.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [b, engine] of engines.entries()) {
    for (let n = 0; n < lists; n++) {
      const history = liked.slice(0, 1 + (n % 3)).map((item) => ({ item, reaction: 'like' }));
      const started = performance.now();
      const result = await engine.recommend({ history, count: 10, ...tastes });
      times[b].push(performance.now() - started);
      if (result.missingItemItemShards) throw new Error('an item–item shard is missing');
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${catalog.name} (${catalog.items} items), ${lists} lists × ${rounds} rounds per build${withTaste ? ', a taste in each' : ''}, builds taking turns:`);
for (const [b, dir] of builds.entries()) {
  const sorted = [...times[b]].sort((a, c) => a - c);
  console.log(`  ${dir}: median ${median(sorted).toFixed(1)} ms (p10 ${sorted[Math.floor(sorted.length * 0.1)].toFixed(1)}, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(1)})`);
}

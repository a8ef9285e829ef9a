// The npm package as an adopter gets it: built (scripts/build-package.mjs, from the wasm already
// in pkg/), packed with `npm pack`, installed from the tarball into a fresh folder, a page of
// one's own (tests/package/page.ts) type-checked against the package's types and bundled with
// esbuild (the repository's pinned devDependency) with the package's worker as a second entry
// and its wasm copied beside them, served beside the built site (/app/ and /demo/, one origin).
// The page opens the site, reacts, recommends and describes, with the worker and the wasm of
// the bundle; a page whose worker is missing says where it looked and what to do. From the same
// install, `npx localrec build-site` (the crate in wasm under Node: no Rust) builds a site for a
// small text-only catalogue and a small one with public lists (its head trained and its
// item–item table fitted there), rebuilds it after the first is reordered and edited (embedding
// only the edited item, training nothing), and the page describes a taste and likes on it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { REPO, SITE, launch, sha256, startServer, watch } from './harness.mjs';

const run = promisify(execFile);
const LOAD_TIMEOUT = 180_000;

let tmp;
let consumer;
let recipes;
let lists;
let built;
let server;
let browser;
const timings = {};

async function step(name, job) {
  const started = Date.now();
  try {
    return await job();
  } finally {
    timings[name] = Date.now() - started;
  }
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'localrec-package-'));
  consumer = join(tmp, 'consumer');
  const app = join(tmp, 'web/app');
  await Promise.all([mkdir(consumer, { recursive: true }), mkdir(app, { recursive: true })]);

  const model = join(SITE, 'models/all-MiniLM-L6-v2');
  await step('build', () => run('node', [join(REPO, 'scripts/build-package.mjs'), join(tmp, 'package'), '--model', model]));
  const packed = await step('pack', () => run('npm', ['pack', join(tmp, 'package'), '--pack-destination', tmp, '--json']));
  const tarball = join(tmp, JSON.parse(packed.stdout)[0].filename);

  // A fresh folder of the adopter's: the tarball and its dependency (idb) from npm.
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await step('install', () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: consumer }));
  for (const file of ['page.ts', 'tsconfig.json']) await copyFile(join(REPO, 'tests/package', file), join(consumer, file));
  // Strict TypeScript: without the package's types (exports → types) the import is an error.
  await step('tsc', () => run(join(REPO, 'node_modules/.bin/tsc'), ['-p', consumer]));
  // esbuild leaves `new URL('./worker.js', import.meta.url)` as it is: the worker is bundled as
  // an entry of its own beside the page's bundle, and the wasm it locates the same way is copied.
  await step('esbuild', () => run(join(REPO, 'node_modules/.bin/esbuild'), [
    'page=page.ts', 'worker=localrec/worker.js', '--bundle', '--format=esm', `--outdir=${app}`, '--log-level=warning',
  ], { cwd: consumer }));
  const wasm = createRequire(join(consumer, 'package.json')).resolve('localrec/localrec_bg.wasm');
  await copyFile(wasm, join(app, 'localrec_bg.wasm'));
  await writeFile(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bundled</title><link rel="icon" href="data:,"><p id="status">loading</p><script type="module" src="page.js"></script>\n');

  // An adopter's catalogue, built into a site by the package's own command.
  recipes = join(tmp, 'recipes');
  lists = join(tmp, 'synthetic-120');
  await cp(join(REPO, 'tests/fixtures/recipes'), recipes, { recursive: true });
  await cp(join(REPO, 'tests/fixtures/synthetic-120'), lists, { recursive: true });
  built = await step('npx build-site', () => buildSite());

  // The sites beside the page: /demo/, /recipes/ and /app/ on one origin.
  await symlink(SITE, join(tmp, 'web/demo'));
  server = await startServer({ site: join(tmp, 'web/demo') });
  browser = await launch({ webgpu: false });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  console.log(`# package steps (ms): ${JSON.stringify(timings)}`);
});

const appUrl = (query = '') => `${server.origin}/app/${query}`;

/** `npx localrec build-site` on the recipes and the catalogue with lists into /recipes/: its messages. */
async function buildSite() {
  const { stderr } = await run('npx', ['--no-install', 'localrec', 'build-site', recipes, lists, '--out', join(tmp, 'web/recipes')], { cwd: consumer });
  return stderr;
}

async function openPage(context, query) {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(appUrl(query));
  await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: LOAD_TIMEOUT });
  return { page, seen, status: await page.textContent('#status') };
}

describe('the npm package, installed from its tarball and bundled with esbuild', { timeout: 600_000 }, () => {
  test('a page of its own opens the site, reacts, recommends and describes, on the worker and wasm of its bundle', async () => {
    const context = await browser.newContext();
    const requests = [];
    const failed = [];
    // GETs: a HEAD of the site's wasm asks only how the host sends files (www/gzip-copies.js).
    context.on('request', (request) => { if (request.method() === 'GET') requests.push(request.url()); });
    context.on('response', (response) => { if (!response.ok()) failed.push(`${response.status()} ${response.url()}`); });
    try {
      const { page, seen, status } = await openPage(context, '');
      assert.equal(status, 'ready');

      const first = await page.evaluate(() => window.page.titles(5));
      assert.equal(first.length, 5);
      assert.ok(first.every((row) => row.reason === null), JSON.stringify(first));

      const liked = await page.evaluate(() => window.page.first());
      await page.evaluate((id) => window.page.like(id), liked);
      const afterLike = await page.evaluate(() => window.page.titles(5));
      assert.ok(!afterLike.some((row) => row.id === liked), 'a liked item is not recommended');
      assert.ok(afterLike.some((row) => /^Because you liked /.test(row.reason ?? '')), JSON.stringify(afterLike));

      const { pieces } = await page.evaluate(() => window.page.describe('a boy wizard at a school of magic'));
      assert.ok(pieces.includes('wizard'), JSON.stringify(pieces));
      const described = await page.evaluate(() => window.page.titles(10));
      assert.ok(described.some((row) => /Harry Potter/.test(row.title)), described.map((row) => row.title).join(' / '));

      // The engine is the package's, from the bundle; only the site's data comes from /demo/.
      const origin = server.origin;
      assert.ok(requests.includes(`${origin}/app/worker.js`), requests.join('\n'));
      assert.ok(requests.includes(`${origin}/app/localrec_bg.wasm`), requests.join('\n'));
      const engineFromSite = requests.filter((url) => /\/demo\/(www|pkg|node_modules)\//.test(url));
      assert.deepEqual(engineFromSite, []);
      assert.deepEqual(failed, []);
      assert.deepEqual(seen.errors, []);
    } finally {
      await context.close();
    }
  });

  test('npx localrec build-site builds a site from the tarball alone, training and embedding only what changed', async () => {
    assert.match(built, /embedding 26 of 26 items/);
    assert.match(built, /synthetic-120: training the head \(missing/);
    assert.match(built, /synthetic-120: fitting the item–item table/);
    const site = join(tmp, 'web/recipes');
    const manifest = JSON.parse(await readFile(join(site, 'site.json'), 'utf8'));
    assert.deepEqual(manifest.catalogs.map(({ name, kind, items }) => ({ name, kind, items })), [
      { name: 'recipes', kind: 'text', items: 26 }, { name: 'synthetic-120', kind: 'hybrid', items: 120 },
    ]);
    for (const { path, bytes, sha256: sum } of manifest.files) {
      const file = await readFile(join(site, path));
      assert.equal(file.length, bytes, path);
      assert.equal(sha256(file), sum, path);
    }
    // The model is the demo's, file for file: the package carries the demo site's compact
    // weights joined with their word shards, and its builder splits them again the same way.
    // The f32 weights and the library's bundler copies are not in the site.
    const demo = JSON.parse(await readFile(join(SITE, 'site.json'), 'utf8'));
    const modelFiles = (of) => of.files.filter(({ path }) => path.startsWith(of.model.path) && !path.endsWith('/model.safetensors'))
      .map(({ path, sha256: sum }) => `${path} ${sum}`);
    assert.ok(manifest.model.wordShards.length > 200, 'the word table comes in shards');
    assert.deepEqual(manifest.model.wordShards, demo.model.wordShards);
    assert.deepEqual(modelFiles(manifest), modelFiles(demo));
    assert.ok(!manifest.files.some(({ path }) => /model\.safetensors$|\.d\.ts$/.test(path)));
    assert.match(await readFile(join(site, 'www/profile-store.js'), 'utf8'), /\.\.\/node_modules\/idb\/build\/index\.js/, 'the site\'s page loads its own copy of idb');

    // Reordered rows and one edited text: only that item is embedded again.
    const csv = (await readFile(join(recipes, 'items.csv'), 'utf8')).trim().split('\n');
    const edited = [csv[0], ...csv.slice(1).reverse()].join('\n').replace('Curry night,,,', 'Curry night,Indian,45,"A hot chicken curry with rice and naan."');
    await writeFile(join(recipes, 'items.csv'), `${edited}\n`);
    const rebuilt = await buildSite();
    assert.match(rebuilt, /embedding 1 of 26 items/);
    assert.doesNotMatch(rebuilt, /synthetic-120: (embedding|training|fitting)/);
  });

  test('a page of its own likes on the catalogue whose head and table npx trained', async () => {
    const context = await browser.newContext();
    try {
      const { page, seen, status } = await openPage(context, '?site=../recipes/&catalog=synthetic-120');
      assert.equal(status, 'ready');
      const liked = await page.evaluate(() => window.page.first());
      await page.evaluate((id) => window.page.like(id), liked);
      const after = await page.evaluate(() => window.page.titles(5));
      assert.ok(!after.some((row) => row.id === liked), 'a liked item is not recommended');
      assert.ok(after.some((row) => /^Because you liked /.test(row.reason ?? '')), JSON.stringify(after));
      assert.deepEqual(seen.errors, []);
    } finally {
      await context.close();
    }
  });

  test('a page of its own describes a taste on the site that npx built', async () => {
    const context = await browser.newContext();
    try {
      const { page, seen, status } = await openPage(context, '?site=../recipes/&catalog=recipes');
      assert.equal(status, 'ready');
      assert.equal((await page.evaluate(() => window.page.titles(10))).length, 10);
      await page.evaluate(() => window.page.describe('a rich chocolate dessert'));
      const described = await page.evaluate(() => window.page.titles(3));
      assert.ok(described.some((row) => /Chocolate lava cake|Brownies/.test(row.title)), described.map((row) => row.title).join(' / '));
      assert.deepEqual(seen.errors, []);
    } finally {
      await context.close();
    }
  });

  test('a bundled page whose worker is not there says where it looked and what to do', async () => {
    const context = await browser.newContext();
    try {
      const { status } = await openPage(context, '?worker=nowhere/worker.js');
      assert.match(status, /^error: the engine's worker \(http:\/\/[^ ]+\/app\/nowhere\/worker\.js\) did not load: .*workerUrl/);
    } finally {
      await context.close();
    }
  });
});

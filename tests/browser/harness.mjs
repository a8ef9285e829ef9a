// Shared by the browser specs: the built site (dist/demo, from ./scripts/build-site.sh) served by
// a plain static server (python3 -m http.server: no special headers) under a sub-path, Debian's
// Chromium through playwright-core (never a downloaded browser), doctored copies of the site,
// and the golden reference embeddings.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { createAppServer } from '../../scripts/serve.mjs';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The built site the tests open (LOCALREC_SITE to test another). */
export const SITE = process.env.LOCALREC_SITE ?? join(REPO, 'dist/demo');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

const BASE_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Software WebGPU (SwiftShader). Without --enable-unsafe-webgpu there is no adapter at all,
// which is how the CPU fallback is tested.
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader',
];

/**
 * Serves `site` (a built site's folder) with `python3 -m http.server` from its parent folder, so
 * the page lives under a sub-path: `{url: 'http://127.0.0.1:PORT/demo/', origin, close}`.
 * `delay(path, method)`: a node static server instead (no special headers either) that holds
 * each response for that many milliseconds.
 */
export async function startServer({ site = SITE, delay = null } = {}) {
  if (!existsSync(join(site, 'site.json'))) throw new Error(`no built site at ${site}: run ./scripts/build-site.sh first`);
  const sub = `/${basename(site)}/`;
  if (delay) {
    const server = createAppServer({ root: dirname(site), delay });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${server.address().port}`;
    return { url: `${origin}${sub}`, origin, close: () => new Promise((r) => server.close(r)) };
  }
  const child = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dirname(site)], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const found = out.match(/port (\d+)/);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code) => reject(new Error(`python3 -m http.server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  const origin = `http://127.0.0.1:${port}`;
  const close = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill();
  });
  return { url: `${origin}${sub}`, origin, close };
}

/**
 * The repository for the benchmarks (bench/web and its peer, beside the built site in
 * dist/demo/), cross-origin isolated (COOP/COEP) so that the peer, transformers.js, may use
 * threads as it would on a site that sends them. Not for the tests: the site needs no headers.
 */
export async function startBenchServer() {
  const server = createAppServer({
    root: REPO,
    only: ['dist/demo/', 'bench/web/', 'bench/item_texts.txt', 'bench/peers/models/',
      'bench/peers/node_modules/@huggingface/transformers/dist/', 'bench/peers/node_modules/onnxruntime-web/dist/'],
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * A temporary copy of the built site (links to its files) where `files` (site path → bytes)
 * replace or add files. `relist`: site.json lists the new sizes and hashes (a valid site);
 * otherwise it still lists the originals (a damaged download). → `{root, site, write(path,
 * bytes), remove()}`; serve it with `startServer({site})`.
 */
export async function siteCopy(files, { relist = true } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'localrec-site-'));
  const site = join(root, basename(SITE));
  await linkTree(SITE, site, Object.keys(files));
  // A file written anew loses the build's compressed copies beside it, which hold the old bytes.
  const write = async (path, bytes) => {
    for (const suffix of ['', '.gz', '.br']) await rm(join(site, path + suffix), { force: true });
    await writeFile(join(site, path), bytes);
  };
  const manifest = JSON.parse(await readFile(join(SITE, 'site.json'), 'utf8'));
  for (const [path, bytes] of Object.entries(files)) {
    await write(path, bytes);
    const entry = manifest.files.find((f) => f.path === path);
    if (relist && entry) Object.assign(entry, { bytes: bytes.length, sha256: sha256(bytes) });
  }
  await write('site.json', JSON.stringify(manifest));
  return { root, site, write, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `to` mirrors `from` with links, except real folders along each of `own` (paths to be written). */
async function linkTree(from, to, own) {
  await mkdir(to, { recursive: true });
  const heads = new Set([...own, 'site.json'].map((p) => p.split('/')[0]));
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const inside = [...own, 'site.json'].filter((p) => p.startsWith(`${entry.name}/`)).map((p) => p.slice(entry.name.length + 1));
    if (entry.isDirectory() && inside.length > 0) await linkTree(join(from, entry.name), join(to, entry.name), inside);
    else if (!heads.has(entry.name) || entry.isDirectory()) await symlink(join(from, entry.name), join(to, entry.name));
  }
}

export function launch({ webgpu }) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/** A browser whose profile lives in `userDataDir`, so it survives the browser's death. */
export function launchPersistent(userDataDir, { webgpu }) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/** SIGKILLs the Chromium browser process using `userDataDir`, as a crash would end it. */
export async function killBrowser(userDataDir) {
  const { readdir, readFile } = await import('node:fs/promises');
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let args;
    try {
      args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue;
    }
    // The browser process: our profile, and no --type= (that marks renderers, GPU, …).
    if (args.includes(`--user-data-dir=${userDataDir}`) && !args.some((a) => a.startsWith('--type='))) {
      process.kill(Number(pid), 'SIGKILL');
      return Number(pid);
    }
  }
  throw new Error(`no browser process for ${userDataDir}`);
}

/** Collects console errors, uncaught page errors and every request of a page. */
export function watch(page) {
  const seen = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('pageerror', (error) => seen.errors.push(String(error)));
  page.on('request', (request) => seen.requests.push({ method: request.method(), url: request.url() }));
  // Worker requests are reported through the context.
  return seen;
}

/**
 * Waits until `predicate` (run in the page; it may be async) gives a truthy value, checking every
 * `polling` ms. Playwright's waitForFunction does not await what its function returns: an async
 * one passes at once (a promise is truthy), so it cannot wait on caches, IndexedDB or the like.
 */
export async function waitForAsync(page, predicate, arg, { timeout, polling = 250 }) {
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > deadline) throw new Error(`waited ${timeout} ms in vain for ${predicate}`);
    await new Promise((resolve) => setTimeout(resolve, polling));
  }
}

export async function waitForState(page, state, timeout) {
  await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout, polling: 250 });
}

/** Waits until the page shows its first list ('listed'; 'ready' once the model is there too). */
export async function waitForList(page, timeout) {
  await page.waitForFunction(() => ['listed', 'ready'].includes(document.body.dataset.state), null, { timeout, polling: 100 });
}

export function goldenCases(names) {
  const golden = JSON.parse(readFileSync(new URL('../fixtures/minilm_golden.json', import.meta.url)));
  return names.map((name) => {
    const found = golden.cases.find((c) => c.name === name);
    if (!found) throw new Error(`no golden case ${name}`);
    return found;
  });
}

export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  return a.reduce((max, x, i) => Math.max(max, Math.abs(x - b[i])), 0);
}

// The page's own handle on the library, `window.localrec.rec`, is the way in for a test that
// needs what the screen does not say (the saved profile, the engine): everything the tests
// read through it is `LocalRec`'s public API (www/localrec.js). The page's other test hooks are
// used only where neither the screen nor the library says it (each says why where it is used);
// `window.localrec.settled()`, the one most used, because the page gives no sign that a list
// computed after a change is the last one owed.

/** Embeds texts in the page through the library (`LocalRec.embed`); returns plain arrays. */
export function embedInPage(page, texts) {
  return page.evaluate(async (t) => (await window.localrec.rec.embed(t)).map((v) => Array.from(v)), texts);
}

/** The reactions saved in the library's profile, oldest first: `[{item, reaction}]`. */
export const reactionsOf = (page) => page.evaluate(() => window.localrec.rec.history.map(({ item, reaction }) => ({ item, reaction })));

/** The ids of the recommendations the page shows, best first. */
export const shownRecommendations = (page) => page.getByRole('list', { name: 'Recommendations, best first' })
  .locator(':scope > li').evaluateAll((rows) => rows.map((row) => window.localrec.rec.item(row.dataset.item).id));

/** Resolves once the page's list reflects every change made so far (a hook of the page's: see above). */
export const listSettled = (page) => page.evaluate(() => window.localrec.settled());

/** The engine's backend, as the library says (`LocalRec.engine`). */
export const backendOf = (page) => page.evaluate(() => window.localrec.rec.engine.backend);

/** The Like (or Dislike) button of item `id`, found by its title in the search as a person would; then the list follows. */
export async function reactToItem(page, id, button = 'Like') {
  await page.getByRole('searchbox').fill(await page.evaluate((item) => window.localrec.rec.item(item).title, id));
  await page.getByRole('list', { name: 'Search results' }).locator(`:scope > li[data-item="${id}"]`)
    .getByRole('button', { name: new RegExp(`^${button} `) }).click();
  await listSettled(page);
}

/** The step a personalisation has reached, as its status line says ("Step 3 of 60 · …"); 0 before the first. */
const stepShown = (text) => Number(text.match(/^Step (\d+) of/)?.[1] ?? 0);
/** Waits until the personalisation's status line has reached `step`. */
export const untilStep = (page, step) => page.waitForFunction(
  (n) => Number(document.getElementById('train-status').textContent.match(/^Step (\d+) of/)?.[1] ?? 0) >= n, step,
);

/**
 * Starts a personalisation with no early end, so that only Cancel or a reload ends it; resolves
 * to its report. (The page's hook: its Personalize button runs the crate's 60 steps, which can
 * end before a click lands.)
 */
export const longPersonalisation = (page) => page.evaluate(() => window.localrec.personalize({ steps: 100_000, patience: 100_000 }));

/**
 * Cancels the personalisation under way (past step 3) with its Cancel button; checks that the
 * run then ends, soon (it stops after its current step; a run that went on would take hours),
 * and says it was cancelled. → its report.
 */
export async function cancelPersonalisation(page, run) {
  await untilStep(page, 3);
  const at = stepShown(await page.locator('#train-status').textContent());
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the personalisation went on 10 s after Cancel')), 10_000);
  });
  const report = await Promise.race([run, late]).finally(() => clearTimeout(timer));
  assert.equal(report.cancelled, true, 'the run says it was cancelled');
  assert.ok(report.validations.length >= at, `cancelled after step ${at}, ran ${report.validations.length}`);
  return report;
}

/**
 * Likes the first `count` search results for `query` with their Like buttons, then waits for
 * `settle` (by default: the list reflects them); returns their ids.
 */
export async function likeFromSearch(page, query, count, settle = listSettled) {
  await page.getByRole('searchbox').fill(query);
  const rows = page.getByRole('list', { name: 'Search results' }).locator(':scope > li');
  const ids = [];
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const key = await row.getAttribute('data-item');
    ids.push(await page.evaluate((k) => window.localrec.rec.item(k).id, key));
    await row.getByRole('button', { name: /^Like / }).click();
  }
  await settle(page);
  return ids;
}

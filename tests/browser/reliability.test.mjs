// Faults a person's browser will meet: the browser killed in the middle of saving, the GPU
// device lost, hours of use. Their history must survive, and the app must keep working.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  backendOf, killBrowser, launch, launchPersistent, likeFromSearch, listSettled, shownRecommendations, startServer, waitForState,
} from './harness.mjs';

const LOAD_TIMEOUT = 180_000;

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

const itemsOf = (page) => page.evaluate(() => window.localrec.rec.history.map((e) => e.item));

describe('crash-safe saving', { timeout: 900_000 }, () => {
  test('killing the browser while it saves leaves the old or the new history, never a mix', async (t) => {
    const profileDir = await mkdtemp(join(tmpdir(), 'localrec-kill-'));
    const ROUNDS = 12;
    // The person likes items in this order; every saved state must be a prefix of it.
    let intended = null;
    let survived = []; // what the last restart found: it must never be lost afterwards
    let savedBeforeKill = 0;
    let context = null;
    try {
      for (let round = 0; round <= ROUNDS; round++) {
        context = await launchPersistent(profileDir, { webgpu: false });
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${server.url}?backend=cpu`);
        await waitForState(page, 'ready', LOAD_TIMEOUT);
        intended ??= await page.evaluate(() => window.localrec.rec.catalog.items.slice(0, 300).map((item) => item.id));
        const found = await itemsOf(page);
        const storage = await page.textContent('#storage-status');
        assert.deepEqual(found, intended.slice(0, found.length), `round ${round}: a prefix of what was liked`);
        assert.deepEqual(found.slice(0, survived.length), survived, `round ${round}: nothing that survived a restart is lost (storage: ${storage})`);
        assert.ok(found.length >= savedBeforeKill, `round ${round}: every save reported done before the kill is there (${found.length} < ${savedBeforeKill})`);
        survived = found;
        t.diagnostic(`restart ${round}: ${found.length} reactions found, ${savedBeforeKill} reported saved before the kill`);
        if (round === ROUNDS) break;
        // Like the next items as fast as the library saves them (`react` resolves once saved),
        // and kill the browser meanwhile.
        const next = intended.slice(found.length, found.length + 40);
        await page.evaluate((ids) => {
          window.savedCount = 0;
          (async () => {
            for (const id of ids) {
              await window.localrec.rec.react(id, 'like');
              window.savedCount++;
            }
          })();
        }, next);
        await page.waitForTimeout(50 + ((round * 137) % 400));
        savedBeforeKill = found.length + (await page.evaluate(() => window.savedCount));
        await killBrowser(profileDir);
        await context.close().catch(() => {});
      }
      assert.ok(survived.length > 0, 'some saves completed across the rounds');
    } finally {
      await context?.close().catch(() => {}); // also when an assertion failed: no browser left behind
      await rm(profileDir, { recursive: true, force: true });
    }
  });
});

describe('GPU device lost', { timeout: 900_000 }, () => {
  test('the app says so, moves to the CPU in a fresh worker, and keeps the history', async () => {
    const browser = await launch({ webgpu: true });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${server.url}?backend=webgpu`);
      await waitForState(page, 'ready', 480_000);
      assert.equal(await backendOf(page), 'webgpu');
      const liked = await likeFromSearch(page, 'gundam', 3);

      const destroyed = await page.evaluate(async () => (await import(new URL('www/localrec-debug.js', document.baseURI).href)).debugHooks(window.localrec.rec).simulateDeviceLoss());
      assert.ok(destroyed >= 1, 'a GPU device was destroyed');
      await page.waitForFunction(() => window.localrec.rec.engine.backend === 'cpu' && document.body.dataset.state === 'ready', null, { timeout: 120_000 });
      assert.match(await page.textContent('#notice-message'), /The GPU stopped working \(the GPU device was lost \(destroyed.*Restarting the model on the CPU; your reactions and personal weights are safe/);
      assert.match(await page.textContent('#backend'), /CPU/);
      assert.deepEqual(await itemsOf(page), liked);

      // It works as before: recommendations exclude the likes, a new reaction updates them.
      await listSettled(page);
      const shown = await shownRecommendations(page);
      assert.equal(shown.length, 20);
      assert.ok(liked.every((id) => !shown.includes(id)));
      const [top] = shown;
      await page.getByRole('list', { name: 'Recommendations, best first' }).locator(':scope > li').first()
        .getByRole('button', { name: /^Like / }).click();
      await listSettled(page);
      assert.ok(!(await shownRecommendations(page)).includes(top));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});

/**
 * A long scripted session through the app's own functions (the page's hooks: its clock times
 * the app's path from a reaction to its list, which 1,000 clicks would time with Playwright's): `reactions` reactions (toggling
 * over a fixed set, so the history keeps its size) with a personalisation of `steps` steps
 * after every `every` of them. Returns the memory before and after, and the latencies.
 */
async function longSession(page, { reactions, every, steps, warmup }) {
  const cdp = await page.context().newCDPSession(page);
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const engine = await page.evaluate(async () => (await import(new URL('www/localrec-debug.js', document.baseURI).href)).debugHooks(window.localrec.rec).memory());
    return { pageHeap: usedSize, ...engine };
  };
  const run = (from, to) => page.evaluate(async ({ from, to, every, steps }) => {
    const ids = window.localrec.rec.catalog.items.slice(0, 60).map((item) => item.id);
    // Five lasting likes keep personalisation possible; the other 55 are toggled.
    if (from === 0) for (const id of ids.slice(0, 5)) await window.localrec.react(id, 'like');
    for (let i = from; i < to; i++) {
      const id = ids[5 + (i % 55)];
      await window.localrec.react(id, i % 3 === 0 ? 'dislike' : 'like');
      if ((i + 1) % every === 0) await window.localrec.personalize({ steps, patience: 1e9 });
    }
    await window.localrec.saved();
  }, { from, to, every, steps });

  await run(0, warmup);
  const before = await measure();
  await run(warmup, reactions);
  const after = await measure();
  const updates = await page.evaluate(() => window.localrec.timings.updates);
  return { before, after, updates: updates.slice(-reactions) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MiB = 1024 * 1024;

describe('long sessions', { timeout: 900_000 }, () => {
  test('1,000 reactions and 100 personalisations on the CPU: memory flat, no latency creep', async (t) => {
    const browser = await launch({ webgpu: false });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}?backend=cpu`);
      await waitForState(page, 'ready', LOAD_TIMEOUT);
      const { before, after, updates } = await longSession(page, { reactions: 1000, every: 10, steps: 5, warmup: 200 });
      const early = median(updates.slice(100, 200));
      const late = median(updates.slice(-100));
      t.diagnostic(`wasm memory ${(before.wasmBytes / MiB).toFixed(1)} → ${(after.wasmBytes / MiB).toFixed(1)} MiB; `
        + `page heap ${(before.pageHeap / MiB).toFixed(1)} → ${(after.pageHeap / MiB).toFixed(1)} MiB; `
        + `reaction → list median ${early.toFixed(1)} ms (reactions 100–200) → ${late.toFixed(1)} ms (last 100)`);
      assert.equal(updates.length, 1000);
      // Bounds after warm-up (200 reactions, 20 personalisations): wasm memory never shrinks,
      // so any leak would show as growth; the page's heap is measured after a full GC.
      assert.ok(after.wasmBytes <= before.wasmBytes + 8 * MiB, 'wasm memory grows by at most 8 MiB');
      assert.ok(after.pageHeap <= before.pageHeap + 4 * MiB, 'the page heap grows by at most 4 MiB');
      assert.ok(late <= 2 * early, `latency does not creep (${early.toFixed(1)} → ${late.toFixed(1)} ms)`);
    } finally {
      await browser.close();
    }
  });

  test('on WebGPU (SwiftShader), live GPU buffers stay flat', async (t) => {
    const browser = await launch({ webgpu: true });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}?backend=webgpu`);
      await waitForState(page, 'ready', 480_000);
      const { before, after } = await longSession(page, { reactions: 60, every: 20, steps: 2, warmup: 20 });
      t.diagnostic(`live GPU buffers ${before.gpuBuffers.live} (${(before.gpuBuffers.bytes / MiB).toFixed(1)} MiB) → `
        + `${after.gpuBuffers.live} (${(after.gpuBuffers.bytes / MiB).toFixed(1)} MiB); `
        + `wasm memory ${(before.wasmBytes / MiB).toFixed(1)} → ${(after.wasmBytes / MiB).toFixed(1)} MiB`);
      assert.ok(before.gpuBuffers.live > 0, 'GPU buffers are counted');
      assert.ok(after.gpuBuffers.bytes <= before.gpuBuffers.bytes * 1.1 + 16 * MiB, 'GPU memory stays within 10% + 16 MiB');
      assert.ok(after.wasmBytes <= before.wasmBytes + 8 * MiB);
    } finally {
      await browser.close();
    }
  });
});

// How quickly the app answers, in headless Chromium, on WebGPU (SwiftShader here) and on the
// CPU fallback: page open → first recommendations (first visit, and with the model cached),
// reaction → updated list (and the engine's share of it), and fine-tuning on the resulting
// history of `reactions` likes (50: the app's 60 steps on the CPU; 3 steps on SwiftShader, which
// emulates a GPU at ≈0.1 GFLOP/s). Prints a table and writes
// bench/results/<date>-<host>-app.json. Not part of the tests.
//   node bench/app-latency.mjs [--reactions 50] [--reloads 3] [--backends webgpu,cpu]

import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { launch, startServer, waitForState } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REACTIONS = arg('reactions', 50);
const RELOADS = arg('reloads', 3);
const i = process.argv.indexOf('--backends');
const BACKENDS = i > 0 ? process.argv[i + 1].split(',') : ['webgpu', 'cpu'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

const server = await startServer();
const results = [];
try {
  for (const backend of BACKENDS) {
    const browser = await launch({ webgpu: backend === 'webgpu' });
    const page = await browser.newPage();
    const open = async () => {
      await waitForState(page, 'ready', 900_000);
      return page.evaluate(() => window.localrec.timings.firstRecommendations);
    };
    await page.goto(`${server.url}?backend=${backend}`);
    const cold = await open();
    const cached = [];
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      cached.push(await open());
    }
    // Reactions: like the top result of a new search each time, as a person browsing would.
    const queries = ['gundam', 'clannad', 'naruto', 'bebop', 'haikyuu', 'evangelion', 'monogatari', 'gintama', 'one piece', 'k-on',
      'toradora', 'bleach', 'mushishi', 'hellsing', 'macross', 'slam dunk', 'conan', 'ghost', 'fate', 'lupin',
      'code geass', 'death note', 'steins', 'haruhi', 'lucky star', 'aria', 'baccano', 'trigun', 'pokemon', 'dragon ball'];
    for (let i = 0; i < REACTIONS; i++) {
      await page.fill('#search', queries[i % queries.length]);
      await page.locator('#search-results .item').nth(Math.floor(i / queries.length)).locator('button.like').click();
      await page.evaluate(() => window.localrec.settled());
    }
    const { updates, engine } = await page.evaluate(() => window.localrec.timings);
    const steps = backend === 'cpu' ? 60 : 3;
    const report = await page.evaluate((s) => window.localrec.personalize({ steps: s, patience: 1e9 }), steps);
    const info = await page.evaluate(() => window.localrec.info);
    results.push({
      backend, adapter: info.adapter, coldOpenMs: cold, cachedOpenMs: cached,
      reactionToUpdateMs: updates.slice(-REACTIONS), engineMs: engine.slice(-REACTIONS),
      personalize: { steps: report.losses.length, seconds: report.seconds },
    });
    await browser.close();
  }
} finally {
  await server.close();
}

console.log(`| backend | open → first list, first visit | open → first list, cached (median) | reaction → updated list (median / p90) | of which engine (median) | fine-tune on ${REACTIONS} events: steps/s | ms/step |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const name = r.backend === 'webgpu' ? `WebGPU (${r.adapter.vendor} ${r.adapter.architecture})` : 'CPU (wasm)';
  console.log(`| ${name} | ${(r.coldOpenMs / 1000).toFixed(1)} s | ${(median(r.cachedOpenMs) / 1000).toFixed(1)} s | `
    + `${median(r.reactionToUpdateMs).toFixed(0)} / ${p90(r.reactionToUpdateMs).toFixed(0)} ms | ${median(r.engineMs).toFixed(0)} ms | `
    + `${(r.personalize.steps / r.personalize.seconds).toFixed(1)} | ${(1000 * r.personalize.seconds / r.personalize.steps).toFixed(0)} |`);
}
const file = new URL(`results/${new Date().toISOString().slice(0, 10)}-${hostname()}-app.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), host: hostname(), reactions: REACTIONS, results }, null, 2));
console.log(`\nwritten to ${file.pathname}`);

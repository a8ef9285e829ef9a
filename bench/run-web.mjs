// Runs bench/web in headless Chromium on WebGPU (SwiftShader here) and on the CPU fallback,
// prints a table and writes bench/results/<date>-<host>-web.json. Not part of the tests.
//   node bench/run-web.mjs [--count N] [--batches 1,16]

import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

import { launch, startBenchServer } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const batches = arg('batches', '1,16');
const counts = { cpu: Number(arg('count', 64)), webgpu: Number(arg('webgpu-count', 16)) };

const server = await startBenchServer();
const results = [];
try {
  for (const backend of ['webgpu', 'cpu']) {
    const browser = await launch({ webgpu: backend === 'webgpu' });
    const page = await browser.newPage();
    await page.goto(`${server.url}bench/web/index.html?backend=${backend}&batches=${batches}&count=${counts[backend]}`);
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 0, polling: 500 });
    const result = await page.evaluate(() => window.benchResults);
    await browser.close();
    if (result.error) throw new Error(`${backend}: ${result.error}`);
    results.push(result);
  }
} finally {
  await server.close();
}

console.log('| backend | adapter | batch | sentences/s | tokens/s | first call ms |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of results) {
  const adapter = r.adapter ? `${r.adapter.vendor} ${r.adapter.architecture}${r.adapter.isFallbackAdapter ? ' (fallback)' : ''}` : '–';
  for (const run of r.runs) {
    console.log(`| ${r.backend} | ${adapter} | ${run.batch} | ${run.sentencesPerS.toFixed(1)} | ${run.tokensPerS.toFixed(0)} | ${run.firstCallMs.toFixed(0)} |`);
  }
}
const file = new URL(`results/${new Date().toISOString().slice(0, 10)}-${hostname()}-web.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), host: hostname(), results }, null, 2));
console.log(`\nwritten to ${file.pathname}`);

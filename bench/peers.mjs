// localrec against transformers.js (ONNX Runtime Web) in one headless Chromium session: the same
// texts, batches and model weights (bench/web/peers.js does the work). Prints a Markdown table
// and writes bench/results/<date>-<host>-peers.json. Run it through scripts/bench-peers.sh, which
// installs the peer and builds its model files first. Not part of the tests.
//
//   node bench/peers.mjs [--count 64] [--long-count 32] [--rounds 3] [--batches 1,16,32]
//                        [--webgpu-count 16] [--webgpu-batches 1,16] [--engines a,b,…]
//
// WebGPU here is SwiftShader (a CPU emulation, ≈0.1 GFLOP/s), so its runs default to one round of
// a few item texts: enough for the ratio, not for a real GPU's numbers.

import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { gzipSync } from 'node:zlib';

import { launch, startBenchServer } from '../tests/browser/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const numbers = (text) => text.split(',').map(Number);

const ENGINES = [
  // The reference comes first: its embeddings are what the others are checked against.
  { id: 'localrec-cpu', library: 'localrec', device: 'cpu', minCosine: 1 },
  { id: 'transformers.js-wasm-fp32', library: 'transformers.js', device: 'wasm', dtype: 'fp32', minCosine: 0.9999 },
  { id: 'transformers.js-wasm-q8', library: 'transformers.js', device: 'wasm', dtype: 'q8', minCosine: 0.99 },
  { id: 'localrec-webgpu', library: 'localrec', device: 'webgpu', minCosine: 0.9999 },
  { id: 'transformers.js-webgpu-fp32', library: 'transformers.js', device: 'webgpu', dtype: 'fp32', minCosine: 0.9999 },
  { id: 'transformers.js-webgpu-q8', library: 'transformers.js', device: 'webgpu', dtype: 'q8', minCosine: 0.99 },
];
const chosen = arg('engines', ENGINES.map((e) => e.id).join(',')).split(',');
if (!chosen.includes('localrec-cpu')) throw new Error('--engines must include localrec-cpu: it is the reference and tokenizes the texts');
const rounds = Number(arg('rounds', 3));
const plan = {
  engines: ENGINES.filter((e) => chosen.includes(e.id)),
  longCount: Number(arg('long-count', 32)),
  longTokens: 128,
  runs: {
    cpu: {
      batches: numbers(arg('batches', '1,16,32')),
      sets: {
        items: { count: Number(arg('count', 64)), rounds },
        long: { count: Number(arg('long-count', 32)), rounds },
      },
    },
    webgpu: {
      batches: numbers(arg('webgpu-batches', '1,16')),
      sets: { items: { count: Number(arg('webgpu-count', 16)), rounds: 1 } },
    },
  },
};

const server = await startBenchServer();
let results;
try {
  const browser = await launch({ webgpu: true });
  const page = await browser.newPage();
  page.on('response', (response) => {
    if (response.status() >= 400) console.error(`[page] ${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[page] ${message.text()}`);
  });
  await page.goto(`${server.url}bench/web/peers.html#${encodeURIComponent(JSON.stringify(plan))}`);
  let printed = 0;
  while ((await page.evaluate(() => document.body.dataset.state)) !== 'done') {
    const lines = (await page.textContent('#log')).split('\n');
    for (const line of lines.slice(printed)) console.error(line);
    printed = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  results = await page.evaluate(() => window.benchResults);
  await browser.close();
} finally {
  await server.close();
}
if (results.error) throw new Error(results.error);

// Ratios: localrec over each transformers.js configuration on the same device class.
const deviceClass = (engine) => (engine.device === 'webgpu' ? 'webgpu' : 'cpu');
const ok = results.engines.filter((e) => !e.error);
results.ratios = [];
for (const ours of ok.filter((e) => e.library === 'localrec')) {
  for (const peer of ok.filter((e) => e.library !== 'localrec' && deviceClass(e) === deviceClass(ours))) {
    for (const [set, runs] of Object.entries(ours.sets)) {
      for (const run of runs) {
        const theirs = peer.sets[set]?.find((r) => r.batch === run.batch);
        if (theirs) {
          results.ratios.push({
            device: deviceClass(ours), set, batch: run.batch, peer: peer.name,
            localrec: run.sentencesPerS, transformersJs: theirs.sentencesPerS,
            ratio: run.sentencesPerS / theirs.sentencesPerS,
          });
        }
      }
    }
  }
}
// What each page downloads on a first visit, raw and gzip -9 (the encoder's part only for the
// peer: its model folder and runtime; localrec's list, from the page's own file list, adds the
// catalogue the app needs).
const DOWNLOADS = {
  localrec: (() => {
    const site = JSON.parse(readFileSync(new URL('../dist/demo/site.json', import.meta.url), 'utf8'));
    const needed = ['pkg/', site.model.path, site.catalogs[0].path];
    return site.files.filter((f) => needed.some((p) => f.path.startsWith(p))).map((f) => new URL(`../dist/demo/${f.path}`, import.meta.url));
  })(),
  'transformers.js': ['bench/peers/node_modules/@huggingface/transformers/dist/transformers.js',
    'bench/peers/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.wasm',
    'bench/peers/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.asyncify.mjs',
    'bench/peers/models/all-MiniLM-L6-v2/onnx/model.onnx',
    'bench/peers/models/all-MiniLM-L6-v2/onnx/model_quantized.onnx',
    'bench/peers/models/all-MiniLM-L6-v2/tokenizer.json'].map((file) => new URL(`../${file}`, import.meta.url)),
};
const REPO = new URL('..', import.meta.url).href;
results.downloads = Object.fromEntries(Object.entries(DOWNLOADS).map(([library, urls]) => [library, urls.map((url) => {
  const bytes = readFileSync(url);
  return { file: url.href.slice(REPO.length), bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
})]));
results.plan = plan;
results.date = new Date().toISOString();
results.host = hostname();

console.log('| engine | set | batch | sentences/s | tokens/s | GFLOP/s | first call (ms) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const engine of results.engines) {
  if (engine.error) {
    console.log(`| ${engine.name} | failed: ${engine.error} | | | | | |`);
    continue;
  }
  for (const [set, runs] of Object.entries(engine.sets)) {
    for (const r of runs) {
      console.log(`| ${engine.name} | ${set} | ${r.batch} | ${r.sentencesPerS.toFixed(2)} | ${r.tokensPerS.toFixed(0)} | ${r.gflopPerS.toFixed(2)} | ${r.firstCallMs.toFixed(0)} |`);
    }
  }
}
console.log('\n| device | set | batch | vs | localrec / transformers.js |');
console.log('|---|---|---:|---|---:|');
for (const r of results.ratios) {
  console.log(`| ${r.device} | ${r.set} | ${r.batch} | ${r.peer} | ${r.ratio.toFixed(2)}× |`);
}
console.log('\n| download | raw | gzip |');
console.log('|---|---:|---:|');
const mib = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;
for (const files of Object.values(results.downloads)) {
  for (const f of files) console.log(`| ${f.file} | ${mib(f.bytes)} | ${mib(f.gzipBytes)} |`);
}
for (const engine of ok.filter((e) => e.memory)) {
  const { wasmBytes, gpuBuffers } = engine.memory;
  console.log(`\n${engine.name}: wasm memory ${mib(wasmBytes)}, GPU buffers ${gpuBuffers.live} (${mib(gpuBuffers.bytes)})`);
}
const file = new URL(`results/${results.date.slice(0, 10)}-${results.host}-peers.json`, import.meta.url);
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`\nwritten to ${file.pathname}`);

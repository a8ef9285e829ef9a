// localrec against transformers.js in one page: the same texts, the same batches, each engine in
// its own worker. The plan comes in the URL's hash (bench/peers.mjs writes it); the results land
// in `window.benchResults`.
//
// The engines of one device (CPU, then WebGPU) run side by side: each is started and its
// embeddings checked against localrec on the CPU (the reference, parity-tested against PyTorch);
// then per text set and batch size each times its first call (shader compilation, allocation),
// and the `rounds` rounds of `count` texts alternate between the engines, so that a machine
// that speeds up or slows down over the minutes of a run does so for all of them. The median
// round is reported.

import { EngineClient } from '../../dist/demo/www/engine-client.js';
import { LocalRec } from '../../dist/demo/www/localrec.js';
import { debugHooks } from '../../dist/demo/www/localrec-debug.js';

const plan = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const log = (line) => { document.getElementById('log').textContent += `\n${line}`; };

/** transformers.js in `peer-worker.js`, which answers localrec's worker protocol ('init', 'embed'). */
class PeerClient extends EngineClient {
  constructor() {
    super(null, null, new URL('./peer-worker.js', import.meta.url));
  }

  start({ device, dtype }) {
    return this.restart('init', { device, dtype });
  }

  async embed(texts) {
    const { dim, vectors } = await this.request('embed', { texts });
    return texts.map((_, i) => vectors.subarray(i * dim, (i + 1) * dim));
  }

  tokenize(text) {
    return this.request('tokenize', { text }).then((r) => r.pieces);
  }
}

/** localrec through its library, with the peer's methods (embed, tokenize, request('memory'), close). */
class LocalRecClient {
  static async start(device) {
    const started = performance.now();
    const rec = await LocalRec.open({ site: '../../dist/demo/', backend: device === 'cpu' ? 'cpu' : 'webgpu' });
    const loaded = await rec.ready.encoder;
    const client = new LocalRecClient();
    client.rec = rec;
    return { client, info: { ...rec.engine, millis: { open: rec.openMillis, encoder: loaded.millis, total: performance.now() - started } } };
  }

  embed(texts) { return this.rec.embed(texts); }
  tokenize(text) { return this.rec.tokenize(text); }
  request(op) { return op === 'memory' ? debugHooks(this.rec).memory() : Promise.reject(new Error(`unknown ${op}`)); }
  close() { this.rec.close(); }
}

async function startEngine(engine) {
  if (engine.library === 'localrec') {
    const { client, info } = await LocalRecClient.start(engine.device);
    if (info.backend !== engine.device) throw new Error(`asked for ${engine.device}, got ${info.backend}`);
    return { client, info };
  }
  const client = new PeerClient();
  return { client, info: await client.start({ device: engine.device, dtype: engine.dtype }) };
}

const cosine = (a, b) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Multiply-adds ×2 of one sentence of `tokens` tokens: 21.2 MFLOP per token (the dense
 * layers) plus 9,216·L per token (QKᵀ and attention·V over 6 layers × 384 wide). */
const flops = (tokens) => tokens * (21.2e6 + 9216 * tokens);

/** `long` texts of exactly `tokens` tokens (with [CLS] and [SEP]) cut from the item texts. */
async function longTexts(tokenizer, items, count, tokens) {
  const words = items.join(' ').split(/\s+/);
  const texts = [];
  let start = 0;
  while (texts.length < count) {
    let lo = 1, hi = 400; // the longest prefix of words[start…] that fits
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const length = (await tokenizer(words.slice(start, start + mid).join(' '))).length;
      if (length <= tokens) lo = mid; else hi = mid - 1;
    }
    const text = words.slice(start, start + lo).join(' ');
    if ((await tokenizer(text)).length === tokens) texts.push(text);
    start = (start + lo) % (words.length - 400);
  }
  return texts;
}

/** Times `batch`-sized calls of `client` on `texts`: `first()` alone, then `round()`s of at
 * least `count` texts; `result()` reports the median round. */
function setTimer(client, texts, tokenCounts, batch, count) {
  const batchAt = (offset) => Array.from({ length: batch }, (_, k) => (offset + k) % texts.length);
  let offset = 0, firstCallMs = null;
  const perRound = [];
  return {
    async first() {
      const t0 = performance.now();
      await client.embed(batchAt(0).map((i) => texts[i]));
      firstCallMs = performance.now() - t0;
      offset = batch;
    },
    async round() {
      let sentences = 0, tokens = 0, work = 0;
      const started = performance.now();
      while (sentences < count) {
        const indices = batchAt(offset);
        offset += batch;
        await client.embed(indices.map((i) => texts[i]));
        sentences += batch;
        for (const i of indices) { tokens += tokenCounts[i]; work += flops(tokenCounts[i]); }
      }
      const seconds = (performance.now() - started) / 1000;
      perRound.push({ seconds, sentencesPerS: sentences / seconds, tokensPerS: tokens / seconds, gflopPerS: work / seconds / 1e9 });
    },
    result() {
      const pick = (key) => median(perRound.map((r) => r[key]));
      return {
        batch, firstCallMs, rounds: perRound,
        sentencesPerS: pick('sentencesPerS'), tokensPerS: pick('tokensPerS'), gflopPerS: pick('gflopPerS'),
      };
    },
  };
}

async function main() {
  const itemTexts = (await (await fetch('../item_texts.txt')).text()).split('\n').filter((t) => t.trim());
  const results = { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, engines: [] };
  let sets = null;
  let reference = null;

  // Starts `engine` and checks its embeddings; the first engine (localrec on the CPU) also
  // tokenizes the text sets and gives the reference vectors.
  async function start(engine, name) {
    const started = performance.now();
    const running = await startEngine(engine);
    const client = running.client;
    const entry = { ...engine, name, info: running.info, startMs: performance.now() - started, sets: {} };
    try {
      if (!sets) {
        const tokenizer = (text) => client.tokenize(text);
        const long = await longTexts(tokenizer, itemTexts, plan.longCount, plan.longTokens);
        sets = { items: itemTexts, long };
        sets.tokens = {};
        for (const [key, texts] of Object.entries({ items: itemTexts, long })) {
          sets.tokens[key] = await Promise.all(texts.map((t) => tokenizer(t).then((p) => p.length)));
        }
        results.sets = Object.fromEntries(Object.entries({ items: itemTexts, long }).map(([key, texts]) => [key, {
          texts: texts.length, meanTokens: sets.tokens[key].reduce((a, b) => a + b, 0) / texts.length,
        }]));
      }
      // Same embeddings before any timing: 8 item texts and 2 long ones, one batch.
      const checkTexts = [...itemTexts.slice(0, 8), ...sets.long.slice(0, 2)];
      const vectors = await client.embed(checkTexts);
      if (!reference) reference = vectors;
      entry.minCosineToReference = Math.min(...vectors.map((v, i) => cosine(v, reference[i])));
      log(`${name}: min cosine to localrec cpu ${entry.minCosineToReference.toFixed(6)}`);
      if (entry.minCosineToReference < engine.minCosine) {
        throw new Error(`embeddings differ from the reference: cosine ${entry.minCosineToReference} < ${engine.minCosine}`);
      }
    } catch (error) {
      client.close();
      throw error;
    }
    return { engine, name, client, entry };
  }

  for (const device of ['cpu', 'webgpu']) {
    const running = [];
    for (const engine of plan.engines.filter((e) => (e.device === 'webgpu' ? 'webgpu' : 'cpu') === device)) {
      const name = `${engine.library} ${engine.device}${engine.dtype ? ` ${engine.dtype}` : ''}`;
      log(`${name}: starting`);
      try {
        running.push(await start(engine, name));
      } catch (error) {
        log(`${name}: failed: ${error.message}`);
        results.engines.push({ ...engine, name, error: error.message });
      }
    }
    const runs = plan.runs[device];
    try {
      for (const [set, setPlan] of Object.entries(runs.sets)) {
        for (const batch of runs.batches) {
          const timers = running.map((r) => setTimer(r.client, sets[set], sets.tokens[set], batch, setPlan.count));
          for (const timer of timers) await timer.first();
          for (let round = 0; round < setPlan.rounds; round++) {
            for (const timer of timers) await timer.round();
          }
          running.forEach((r, i) => {
            const result = timers[i].result();
            (r.entry.sets[set] ??= []).push(result);
            log(`${r.name} ${set} batch ${batch}: ${result.sentencesPerS.toFixed(2)} sentences/s, `
              + `${result.tokensPerS.toFixed(0)} tokens/s, first call ${result.firstCallMs.toFixed(0)} ms`);
          });
        }
      }
      for (const r of running) {
        if (r.engine.library === 'localrec') r.entry.memory = await r.client.request('memory');
        results.engines.push(r.entry);
      }
    } catch (error) {
      log(`${device}: failed: ${error.message}`);
      for (const r of running) results.engines.push({ ...r.engine, name: r.name, error: error.message });
    } finally {
      running.forEach((r) => r.client.close());
    }
  }
  window.benchResults = results;
  document.body.dataset.state = 'done';
}

main().catch((error) => {
  log(`failed: ${error.message}`);
  window.benchResults = { error: error.message };
  document.body.dataset.state = 'done';
});

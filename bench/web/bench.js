// Times `embed` in the page's worker on the anime item texts: per batch size, one warm-up
// batch (timed apart: kernel compilation for its shape), then `count` texts; reports
// sentences/s and tokens/s. Results land in
// `window.benchResults` (read by bench/run-web.mjs) and on the page.

import { LocalRec } from '../../dist/demo/www/localrec.js';

const params = new URLSearchParams(location.search);
const forceCpu = params.get('backend') === 'cpu';
const batches = (params.get('batches') ?? '1,16').split(',').map(Number);
const count = Number(params.get('count') ?? 64);
const log = (line) => { document.getElementById('log').textContent += `\n${line}`; };

async function main() {
  const t0 = performance.now();
  const client = await LocalRec.open({ site: '../../dist/demo/', backend: forceCpu ? 'cpu' : 'auto' });
  await client.ready.encoder;
  const info = client.engine;
  const openToReady = performance.now() - t0;
  const texts = (await (await fetch('../item_texts.txt')).text()).split('\n').filter((t) => t.trim());
  const tokenCounts = await Promise.all(texts.map((t) => client.tokenize(t).then((p) => p.length)));
  log(`backend ${info.backend}${info.adapter ? ` (${info.adapter.vendor} ${info.adapter.architecture})` : ''}, ready in ${openToReady.toFixed(0)} ms`);

  const runs = [];
  for (const batch of batches) {
    const take = (start) => Array.from({ length: batch }, (_, k) => (start + k) % texts.length);
    const warmUp = performance.now();
    await client.embed(take(0).map((i) => texts[i])); // warm-up (shader compilation for this shape)
    const firstCallMs = performance.now() - warmUp;
    let done = 0;
    let tokens = 0;
    const started = performance.now();
    while (done < count) {
      const indices = take(done);
      await client.embed(indices.map((i) => texts[i]));
      tokens += indices.reduce((sum, i) => sum + tokenCounts[i], 0);
      done += indices.length;
    }
    const seconds = (performance.now() - started) / 1000;
    const run = { batch, texts: done, seconds, sentencesPerS: done / seconds, tokensPerS: tokens / seconds, firstCallMs };
    runs.push(run);
    log(`batch ${batch}: ${run.sentencesPerS.toFixed(1)} sentences/s, ${run.tokensPerS.toFixed(0)} tokens/s, first call ${firstCallMs.toFixed(0)} ms`);
  }
  window.benchResults = { backend: info.backend, adapter: info.adapter, openToReadyMs: openToReady, runs };
  document.body.dataset.state = 'done';
}

main().catch((error) => {
  log(`failed: ${error.message}`);
  window.benchResults = { error: error.message };
  document.body.dataset.state = 'done';
});

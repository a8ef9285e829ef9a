// Shared by the browser specs: the app server on a free port, Debian's Chromium through
// playwright-core (never a downloaded browser), and the golden reference embeddings.

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

import { createAppServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

const BASE_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Software WebGPU (SwiftShader). Without --enable-unsafe-webgpu there is no adapter at all,
// which is how the CPU fallback is tested.
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader',
];

export async function startServer(options) {
  const server = createAppServer(options);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export function launch({ webgpu }) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/** A browser whose profile lives in `userDataDir`, so it survives the browser's death. */
export function launchPersistent(userDataDir, { webgpu }) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : [])],
  });
}

/** SIGKILLs the Chromium browser process using `userDataDir`, as a crash would end it. */
export async function killBrowser(userDataDir) {
  const { readdir, readFile } = await import('node:fs/promises');
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let args;
    try {
      args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue;
    }
    // The browser process: our profile, and no --type= (that marks renderers, GPU, …).
    if (args.includes(`--user-data-dir=${userDataDir}`) && !args.some((a) => a.startsWith('--type='))) {
      process.kill(Number(pid), 'SIGKILL');
      return Number(pid);
    }
  }
  throw new Error(`no browser process for ${userDataDir}`);
}

/** Collects console errors, uncaught page errors and every request of a page. */
export function watch(page) {
  const seen = { errors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(message.text());
  });
  page.on('pageerror', (error) => seen.errors.push(String(error)));
  page.on('request', (request) => seen.requests.push({ method: request.method(), url: request.url() }));
  // Worker requests are reported through the context.
  return seen;
}

export async function waitForState(page, state, timeout) {
  await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout, polling: 250 });
}

export function goldenCases(names) {
  const golden = JSON.parse(readFileSync(new URL('../fixtures/minilm_golden.json', import.meta.url)));
  return names.map((name) => {
    const found = golden.cases.find((c) => c.name === name);
    if (!found) throw new Error(`no golden case ${name}`);
    return found;
  });
}

export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  return a.reduce((max, x, i) => Math.max(max, Math.abs(x - b[i])), 0);
}

/** Embeds texts in the page through its worker; returns plain arrays. */
export function embedInPage(page, texts) {
  return page.evaluate(async (t) => (await window.localrec.client.embed(t)).map((v) => Array.from(v)), texts);
}

/**
 * Likes the first `count` search results for `query` through the UI, then waits for `settle`
 * (by default: the list reflects them); returns their ids.
 */
export async function likeFromSearch(page, query, count, settle = (p) => p.evaluate(() => window.localrec.settled())) {
  await page.fill('#search', query);
  const ids = [];
  for (let i = 0; i < count; i++) {
    const row = page.locator('#search-results .item').nth(i);
    ids.push(Number(await row.getAttribute('data-item')));
    await row.locator('button.like').click();
  }
  await settle(page);
  return ids;
}

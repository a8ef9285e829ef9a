// The engine's wasm module, as the worker loads it: from the site's `.gz` copy where the host
// sends files as they are (decoded as it arrives and compiled as it decodes), else the file
// itself. Used by worker.js only.

import init from '../pkg/localrec.js';
import { PROBED_FILE, gunzipped } from './gzip-copies.js';

/**
 * Loads the wasm module for `site` (read by site.js) and returns its exports: localrec_bg.wasm
 * beside pkg/localrec.js (which locates it with `new URL(…, import.meta.url)`), or beside the
 * worker's bundle on a bundled page. Where it is the site's own and the host sends files as they
 * are, its `.gz` copy (a fifth of the bytes); if that fails, the file itself.
 */
export async function loadWasm(site) {
  const own = new URL('../pkg/localrec_bg.wasm', import.meta.url).href;
  const listed = site.listed(PROBED_FILE) ? site.entry(PROBED_FILE) : null;
  if (listed?.gzipUrl && listed.url === own) {
    try {
      return await init({ module_or_path: wasmFromCopy(listed) });
    } catch {
      // the file itself, below
    }
  }
  try {
    return await init();
  } catch (error) {
    throw Object.assign(new Error(`could not load the engine's wasm (localrec_bg.wasm, beside the worker's module or bundle): ${error.message}`), { code: 'network' });
  }
}

/** A Response of the wasm decoded from its `.gz` copy; it fails unless it decodes to the listed size. */
async function wasmFromCopy(file) {
  const response = await fetch(file.gzipUrl);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  let length = 0;
  const counted = (await gunzipped(response.body)).pipeThrough(new TransformStream({
    transform(chunk, controller) {
      length += chunk.length;
      controller.enqueue(chunk);
    },
    flush() {
      if (length !== file.bytes) throw new Error(`${file.gzipUrl} decodes to ${length} bytes; the site lists ${file.bytes}`);
    },
  }));
  return new Response(counted, { headers: { 'Content-Type': 'application/wasm' } });
}

// The build's `.gz` copies, for hosts that send files as they are. `localrec build-site` writes
// a `.br` and a `.gz` copy beside each file; a host that sends them (Content-Encoding) moves
// about half the bytes, but a plain static server (`python3 -m http.server`, a bucket without
// metadata) sends the files themselves: 49 MB for one catalogue, 24 MB of it the wasm. On such
// a host the page fetches the `.gz` copies and decodes them itself (DecompressionStream): one
// HEAD request, beside site.json's, tells which kind of host it is. Every decoded file is still
// checked against site.json's size and sha256; a copy that is missing or does not check out
// falls back to the file itself. Used by the library (the probe) and the worker (the decoding);
// the service worker (sw.js) does the same for what it keeps offline.

/** The file whose headers tell how the host sends the site's files (every site has it). */
export const PROBED_FILE = 'pkg/localrec_bg.wasm';

/**
 * Asks the host for `PROBED_FILE`'s headers (a HEAD request) → `{encoding, length}`, or null
 * when it cannot tell (offline, refused): then the files are fetched as they are.
 */
export async function probeHost(siteUrl, signal) {
  try {
    const response = await fetch(new URL(PROBED_FILE, siteUrl), { method: 'HEAD', cache: 'no-store', signal });
    if (!response.ok) return null;
    const length = response.headers.get('content-length');
    return { encoding: response.headers.get('content-encoding'), length: length === null ? null : Number(length) };
  } catch {
    return null;
  }
}

/**
 * Whether the host sends files as they are: the probed file came with no Content-Encoding and
 * exactly its listed size. (A cross-origin host hides Content-Encoding but not Content-Length; a
 * compressed transfer has another length, or none when compressed on the fly.)
 */
export function sendsFilesAsTheyAre(probe, listedBytes) {
  return Boolean(probe) && !(probe.encoding && probe.encoding !== 'identity') && probe.length === listedBytes;
}

/**
 * The body of a `.gz` copy, decoded: through DecompressionStream, unless the browser already
 * decoded it (a host that sends `.gz` files with Content-Encoding: gzip) — told by gzip's magic
 * bytes, which none of the site's files starts with.
 */
export async function gunzipped(body) {
  const reader = body.getReader();
  const head = [];
  let length = 0;
  let done = false;
  while (length < 2 && !done) {
    const chunk = await reader.read();
    done = chunk.done;
    if (chunk.value) {
      head.push(chunk.value);
      length += chunk.value.length;
    }
  }
  const replayed = new ReadableStream({
    start(controller) {
      for (const chunk of head) controller.enqueue(chunk);
      if (done) controller.close();
    },
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const first = head[0] ?? new Uint8Array();
  const second = first.length > 1 ? first[1] : head[1]?.[0];
  const gzip = first[0] === 0x1f && second === 0x8b;
  return gzip ? replayed.pipeThrough(new DecompressionStream('gzip')) : replayed;
}

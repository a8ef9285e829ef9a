// A small static server for a built site (dist/demo by default): files with their MIME types
// and nothing else: no COOP/COEP or other special headers (the site needs none, as on any
// static host). Where the build wrote a compressed copy beside a file (`<file>.br`, `<file>.gz`)
// and the request's Accept-Encoding allows it, the copy is sent with `Content-Encoding` (its own
// Content-Length, the original's Content-Type, `Vary: Accept-Encoding`), as hosts that serve
// precompressed files do. GET and HEAD only.
//
//   node scripts/serve.mjs [port] [folder]      (default 8080, dist/demo, on 127.0.0.1)
//
// `createAppServer({root, only, delay})` is also used by the benchmarks (the repository with a
// list of public paths) and by a browser test (`delay(path, method)`: milliseconds to hold a response).

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DEFAULT_SITE = join(REPO, 'dist/demo');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
};

// The encodings a build writes beside a file, best first.
const ENCODINGS = [['br', '.br'], ['gzip', '.gz']];

/** The encodings `header` (Accept-Encoding) allows: a Set of tokens with q > 0 ('*' covers the rest). */
function acceptedEncodings(header = '') {
  const allowed = new Set();
  const refused = new Set();
  for (const part of String(header).split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    (q && !(Number(q.slice(2)) > 0) ? refused : allowed).add(token);
  }
  if (allowed.has('*')) for (const [name] of ENCODINGS) if (!refused.has(name)) allowed.add(name);
  return allowed;
}

/**
 * The compressed copies beside `path` that are current (not older than the file: a copy left
 * beside a replaced file is never sent): `[{encoding, path, size, mtimeMs}]`, best first.
 */
async function encodedCopies(path, info) {
  const found = [];
  for (const [encoding, suffix] of ENCODINGS) {
    try {
      const copy = await stat(path + suffix);
      if (copy.isFile() && copy.mtimeMs >= info.mtimeMs) found.push({ encoding, path: path + suffix, size: copy.size, mtimeMs: copy.mtimeMs });
    } catch {
      // none
    }
  }
  return found;
}

function resolvePath(root, urlPath, only) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path.endsWith('/')) path += 'index.html';
  const relative = normalize(path).replace(/^[/\\]+/, '');
  const full = join(root, relative);
  if (!full.startsWith(root + sep)) return null;
  const posix = relative.split(sep).join('/');
  if (only && !only.some((p) => (p.endsWith('/') ? posix.startsWith(p) : posix === p))) return null;
  return full;
}

/**
 * `root`: the folder to serve (a built site by default); `only`: if given, the only paths served
 * (prefixes ending in '/'); `delay(urlPath, method)`: milliseconds to wait before answering; `headers`:
 * added to every response (the benchmarks' cross-origin isolation, for their peer's threads).
 */
export function createAppServer({ root = DEFAULT_SITE, only = null, delay = null, headers = {} } = {}) {
  root = resolve(root);
  return createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    const wait = delay?.(req.url.split('?')[0], req.method) ?? 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const path = resolvePath(root, req.url, only);
    if (!path) return send(404, 'not found\n');
    let info;
    try {
      info = await stat(path);
    } catch {
      return send(404, 'not found\n');
    }
    if (!info.isFile()) return send(404, 'not found\n');
    const copies = await encodedCopies(path, info);
    const accepted = acceptedEncodings(req.headers['accept-encoding']);
    const copy = copies.find((c) => accepted.has(c.encoding));
    const sent = copy ?? { path, size: info.size, mtimeMs: info.mtimeMs };
    const etag = `"${sent.size.toString(16)}-${Math.floor(sent.mtimeMs).toString(16)}${copy ? `-${copy.encoding}` : ''}"`;
    const vary = copies.length ? { Vary: 'Accept-Encoding' } : {};
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag, ...vary, ...headers });
      return res.end();
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
      'Content-Length': sent.size,
      ...(copy ? { 'Content-Encoding': copy.encoding } : {}),
      ...vary,
      ETag: etag,
      ...headers,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(sent.path).on('error', () => res.destroy()).pipe(res);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const root = resolve(process.argv[3] ?? DEFAULT_SITE);
  createAppServer({ root }).listen(port, '127.0.0.1', () => {
    console.log(`localrec: serving ${root} on http://127.0.0.1:${port}/  (Ctrl-C to stop)`);
  });
}

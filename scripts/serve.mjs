// A small static server for the app: only the files the page needs, the right MIME types
// (application/wasm lets browsers compile while downloading), and cross-origin isolation
// headers (COOP/COEP) so wasm threads are possible. GET and HEAD only.
//
//   node scripts/serve.mjs [port]        (default 8080, on 127.0.0.1)

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
// Only these are served; everything else in the repository is not the web's business.
const PUBLIC = [
  'index.html', 'sw.js', 'www/', 'pkg/', 'models/all-MiniLM-L6-v2/', 'data/anime-5k/',
  'node_modules/idb/build/', 'node_modules/uplot/dist/', 'bench/web/', 'bench/item_texts.txt',
  // The benchmarks' peer (bench/peers): transformers.js, its ONNX runtime and its model files.
  'bench/peers/models/', 'bench/peers/node_modules/@huggingface/transformers/dist/',
  'bench/peers/node_modules/onnxruntime-web/dist/',
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
};

const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function resolvePath(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path === '/') path = '/index.html';
  const relative = normalize(path).replace(/^[/\\]+/, '');
  const full = join(root, relative);
  if (!full.startsWith(root + sep)) return null;
  const posix = relative.split(sep).join('/');
  return PUBLIC.some((p) => (p.endsWith('/') ? posix.startsWith(p) : posix === p)) ? full : null;
}

/** `root`: the folder to serve (the repository by default; tests serve a doctored copy). */
export function createAppServer({ root = ROOT } = {}) {
  return createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    const path = resolvePath(root, req.url);
    if (!path) return send(404, 'not found\n');
    let info;
    try {
      info = await stat(path);
    } catch {
      return send(404, 'not found\n');
    }
    if (!info.isFile()) return send(404, 'not found\n');
    // `no-cache` + a validator: the browser asks every time and gets a 304 when unchanged.
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
      return res.end();
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      ETag: etag,
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(path).on('error', () => res.destroy()).pipe(res);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  createAppServer().listen(port, '127.0.0.1', () => {
    console.log(`localrec: serving on http://127.0.0.1:${port}/  (Ctrl-C to stop)`);
  });
}

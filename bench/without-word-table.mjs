// Turns a copy of a built site into one whose compact model has its word-embedding codes as
// zeros (brotli stores them in next to nothing; the NF4 scales stay): what a first visit would
// download if those rows came by need. For timing only: its vectors are wrong. Changes the copy
// in place (the model, its .br and .gz copies, site.json's entry).
//
//   cp -r dist/demo /tmp/demo-nowords && node bench/without-word-table.mjs /tmp/demo-nowords
//   node bench/first-visit.mjs --engines localrec --site /tmp/demo-nowords

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const site = process.argv[2];
if (!site || existsSync(`${site}/../../Cargo.toml`)) {
  throw new Error('usage: node bench/without-word-table.mjs <a copy of a built site, outside the repository>');
}
const MODEL = 'models/all-MiniLM-L6-v2/model.int8.safetensors';
const path = `${site}/${MODEL}`;

// safetensors: an 8-byte header length, the JSON header, then the tensors' bytes.
const bytes = readFileSync(path);
const headerLength = Number(bytes.readBigUInt64LE(0));
const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString());
const words = Object.entries(header).find(([name]) => name.endsWith('word_embeddings.weight'));
if (!words) throw new Error(`${path} has no word embeddings`);
const [start, end] = words[1].data_offsets;
bytes.fill(0, 8 + headerLength + start, 8 + headerLength + end);
writeFileSync(path, bytes);

// The copies a host sends, at the settings build-site gives every file but the wasm.
const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 22 } });
writeFileSync(`${path}.br`, br);
const gz = existsSync(`${path}.gz`) ? gzipSync(bytes, { level: 9 }) : null;
if (gz) writeFileSync(`${path}.gz`, gz);

const manifest = JSON.parse(readFileSync(`${site}/site.json`));
const entry = manifest.files.find((file) => file.path === MODEL);
entry.sha256 = createHash('sha256').update(bytes).digest('hex');
entry.encoded = { br: br.length, ...(gz && { gz: gz.length }) };
writeFileSync(`${site}/site.json`, JSON.stringify(manifest, null, 2));
for (const copy of ['br', 'gz']) rmSync(`${site}/site.json.${copy}`, { force: true });
console.log(`${words[0]} zeroed: the model's .br ${br.length} bytes`);

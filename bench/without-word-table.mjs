// Turns a copy of a built site into one whose compact model has its word-embedding codes as
// zeros (brotli stores them in next to nothing; the NF4 scales stay): what a first visit would
// download if those rows came by need. For timing only: its vectors are wrong. Changes the copy
// in place (the model, its .br and .gz copies, site.json's entry).
//
//   cp -r dist/demo /tmp/demo-nowords && node bench/without-word-table.mjs /tmp/demo-nowords
//   node bench/first-visit.mjs --engines localrec --site /tmp/demo-nowords
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
const site = process.argv[2];
if (!site || existsSync(`${site}/../../Cargo.toml`)) throw new Error('usage: node bench/without-word-table.mjs <a copy of a built site, outside the repository>');
const rel = 'models/all-MiniLM-L6-v2/model.int8.safetensors';
const path = `${site}/${rel}`;
const buf = readFileSync(path);
const n = Number(buf.readBigUInt64LE(0)); const header = JSON.parse(buf.subarray(8, 8 + n).toString());
for (const [k, v] of Object.entries(header)) if (k.endsWith('word_embeddings.weight')) { buf.fill(0, 8 + n + v.data_offsets[0], 8 + n + v.data_offsets[1]); console.log('zeroed', k, v.dtype, v.shape); }
writeFileSync(path, buf);
writeFileSync(`${path}.br`, brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_LGWIN]: 22 } }));
if (existsSync(`${path}.gz`)) writeFileSync(`${path}.gz`, gzipSync(buf, { level: 9 }));
const manifest = JSON.parse(readFileSync(`${site}/site.json`));
const entry = manifest.files.find((f) => f.path === rel);
entry.sha256 = createHash('sha256').update(buf).digest('hex');
entry.encoded = { br: readFileSync(`${path}.br`).length, gz: existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`).length : undefined };
const text = JSON.stringify(manifest, null, 2);
writeFileSync(`${site}/site.json`, text);
for (const ext of ['br', 'gz']) if (existsSync(`${site}/site.json.${ext}`)) rmSync(`${site}/site.json.${ext}`);
console.log('br', readFileSync(`${path}.br`).length);

#!/usr/bin/env node
// `npx localrec build-site DIR… --out SITE`: a site folder for one or more catalogues, built by
// the crate compiled to wasm (builder/: the page's engine and the site's code) under Node, with
// no Rust toolchain: each catalogue's item vectors (only the items whose id or text changed are
// embedded), its files and first list, the page, the language model and site.json, as the
// native `localrec build-site` writes them (one code path: `localrec::site`). Node reads,
// writes and compresses the files. A catalogue with public lists (up to 20,000 items) also gets
// its head trained and its item–item table fitted, as the native build does, on one thread.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

import {
  CatalogBuild, brotliSettings, catalogSite, initSync, isPageFile, itemsFile, modelHash, siteLayout, siteManifest, siteWeights, worthCompressing,
} from '../pkg/localrec_builder.js';

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
// The page's files as a site serves them: the package's `site/` (the page and its unbundled
// library), then the package itself (the wasm); in a checkout, the repository root.
const PAGE_ROOTS = [join(PACKAGE, 'site'), PACKAGE];
const MODEL_DIR = join(PACKAGE, 'model');
// Written beside the model by scripts/build-package.mjs: `<sha256>  <file>` per line.
const MODEL_SUMS = 'SHA256SUMS';
// Above this many items a catalogue with lists is the native command's (see the README's
// "Your own catalogue" for what a build takes here and there).
const MAX_TRAINED_ITEMS = 20_000;

const USAGE = `usage: localrec build-site CATALOGUE_DIR… --out SITE_DIR [--model-dir DIR]

Builds a static site (the page, the language model, each catalogue) that any web host serves.
A catalogue folder holds catalog.json and its items file; its item vectors are embedded here
(on the CPU, one thread, 10–30 short items a second) and kept in the folder for the next build.
With public lists (up to 20,000 items) its head and item–item table are trained here too.
  --out DIR        the site folder (replaced if it is a built site; refused otherwise)
  --model-dir DIR  the model's files (config.json, tokenizer.json, ${'model.int8.safetensors'});
                   default: the package's own, checked against its SHA256SUMS`;

class BuildError extends Error {}

function parse(args) {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === undefined) return { help: true };
  if (command !== 'build-site') throw new BuildError(`unknown command ${JSON.stringify(command)}: only build-site`);
  const options = { datasets: [], out: null, modelDir: MODEL_DIR };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      if (i + 1 >= rest.length) throw new BuildError(`${arg} needs a value`);
      return rest[++i];
    };
    if (arg === '--out') options.out = resolve(value());
    else if (arg === '--model-dir') options.modelDir = resolve(value());
    else if (arg === '--dataset') options.datasets.push(resolve(value()));
    else if (arg === '--help' || arg === '-h') return { help: true };
    else if (arg.startsWith('-')) throw new BuildError(`unknown option ${arg}\n\n${USAGE}`);
    else options.datasets.push(resolve(arg));
  }
  if (!options.out) throw new BuildError(`--out is missing\n\n${USAGE}`);
  if (options.datasets.length === 0) throw new BuildError(`give at least one catalogue folder\n\n${USAGE}`);
  return options;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const readIf = (path) => (existsSync(path) ? readFileSync(path) : undefined);

function read(path, what) {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new BuildError(`${what ? `${what}: ` : ''}cannot read ${path}: ${error.code ?? error.message}`);
  }
}

/** Writes `bytes` to `path` so that no reader ever sees it half written. */
function writeAtomically(path, bytes) {
  const partial = `${path}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, path);
}

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** The language model's files, each checked against the package's SHA256SUMS. */
function loadModel(dir, layout) {
  const names = [...layout.modelFiles, layout.compactWeights];
  const sums = new Map(read(join(MODEL_DIR, MODEL_SUMS), 'the package\'s model sums').toString('utf8')
    .split('\n').filter(Boolean).map((line) => line.split(/\s+/).reverse()));
  const files = {};
  for (const name of names) {
    const bytes = read(join(dir, name), 'the language model');
    const want = sums.get(name);
    if (sha256(bytes) !== want) {
      throw new BuildError(`${join(dir, name)} is not the model this package was built for (sha256 ${sha256(bytes)}, expected ${want}): reinstall the package, or give --model-dir the folder of localrec's model`);
    }
    files[name] = bytes;
  }
  return {
    files,
    encoderFiles: (adapter) => ({
      config: files['config.json'], tokenizer: files['tokenizer.json'], weights: files[layout.compactWeights], adapter,
    }),
  };
}

/** One catalogue folder read (its files named as `folder` says), its vectors completed (embedding what changed), its site part made. */
async function buildCatalog(dir, model, folder) {
  const manifest = read(join(dir, folder.manifest), dir);
  const items = read(join(dir, inCatalog(dir, () => itemsFile(manifest))), dir);
  const adapter = readIf(join(dir, folder.adapter));
  const encoderFiles = model.encoderFiles(adapter);
  const vectorsPath = join(dir, folder.vectors);
  const build = inCatalog(dir, () => new CatalogBuild(manifest, items, readIf(vectorsPath), modelHash(encoderFiles)));
  if (build.hasLists && build.items > MAX_TRAINED_ITEMS) {
    throw new BuildError(`${dir} has ${build.items} items and public lists: above ${MAX_TRAINED_ITEMS} items its head and item–item table are left to the native command line, which trains on every core (\`localrec build-site --dataset ${dir}\`; the README's "Your own catalogue")`);
  }
  if (build.toEmbed > 0) console.error(`${dir}: embedding ${build.toEmbed} of ${build.items} items (the rest are unchanged)`);
  const started = Date.now();
  let shown = 0;
  const progress = (done, total) => {
    if (done === total || Date.now() - shown > 5000) {
      shown = Date.now();
      const rate = done / Math.max(1e-3, (Date.now() - started) / 1000);
      console.error(`  ${done}/${total} items, ${rate.toFixed(1)} items/s`);
    }
  };
  const vectors = inCatalog(dir, () => build.completeVectors(build.toEmbed > 0 ? encoderFiles : undefined, 32, progress));
  if (vectors) {
    writeAtomically(vectorsPath, vectors);
    console.error(`wrote ${vectorsPath} (${build.items} items)`);
  }
  const { head, itemItem } = build.hasLists ? await trainIfMissing(dir, build, folder) : {};
  const notices = folder.notices.filter((name) => existsSync(join(dir, name))).map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
  return inCatalog(dir, () => catalogSite(build, { manifest, items, head, itemItem, adapter, notices }));
}

/**
 * For a catalogue with public lists, as the native build does: trains the head where it is
 * missing or was trained on other item vectors, then fits the item–item table (mixed with the
 * head's scores) where the head changed or the table is missing; both kept in the folder.
 */
async function trainIfMissing(dir, build, folder) {
  const lists = read(join(dir, build.listsFile), dir);
  // Lists in time order (dataset.json says so) are split leave-last-out, as natively.
  let timeOrdered = false;
  try {
    timeOrdered = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')).split === 'leave-last-out';
  } catch {
    // No dataset.json: lists in no particular order.
  }
  let head = readIf(join(dir, folder.head));
  let itemItem = readIf(join(dir, folder.itemItem));
  const why = inCatalog(dir, () => build.retrainReason(head));
  if (why) {
    console.error(`${dir}: training the head (${why}; \`localrec pretrain\`'s defaults, one thread)`);
    const started = Date.now();
    const onEpoch = ({ epoch, epochs, validation: { name, value } }) => {
      console.error(`  epoch ${epoch}/${epochs}: validation ${name} ${value.toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    };
    head = await inCatalog(dir, () => build.trainHead(lists, timeOrdered, onEpoch));
    writeAtomically(join(dir, folder.head), head);
    console.error(`wrote ${join(dir, folder.head)}`);
  }
  if (why || !itemItem) {
    console.error(`${dir}: fitting the item–item table`);
    itemItem = await inCatalog(dir, () => build.fitItemItem(lists, timeOrdered, head));
    writeAtomically(join(dir, folder.itemItem), itemItem);
    console.error(`wrote ${join(dir, folder.itemItem)}`);
  }
  return { head, itemItem };
}

/** `job()`'s result (a value or a promise); the crate's errors named with the catalogue's folder. */
function inCatalog(dir, job) {
  const named = (error) => {
    throw error instanceof BuildError ? error : new BuildError(`${dir}: ${error.message}`);
  };
  try {
    const result = job();
    return result instanceof Promise ? result.catch(named) : result;
  } catch (error) {
    return named(error);
  }
}

/** Where a page file is: the first of PAGE_ROOTS that has it. */
function pageFile(path) {
  const found = PAGE_ROOTS.map((root) => join(root, path)).find(existsSync);
  if (!found) throw new BuildError(`${path} is missing from the package (${PACKAGE}): reinstall it`);
  return found;
}

/** Copies a page file, or a page folder's files that a page loads. */
function copyPageFiles(from, to) {
  if (!statSync(from).isDirectory()) {
    write(to, readFileSync(from));
    return;
  }
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) copyPageFiles(path, join(to, name));
    else if (isPageFile(path)) write(join(to, name), readFileSync(path));
  }
}

/** Every file under `dir` in the order the native build lists them (by name, folder by folder). */
function listFiles(root, dir = root, out = []) {
  for (const name of readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listFiles(root, path, out);
    else out.push(path.slice(root.length + 1).split('\\').join('/'));
  }
  return out;
}

/** `<file>.gz` and `<file>.br` beside each file worth it, where smaller; site.json's entries. */
function compressAll(root) {
  return listFiles(root).map((path) => {
    const bytes = readFileSync(join(root, path));
    const encoded = worthCompressing(path) ? writeCopies(root, path, bytes) : {};
    return { path, bytes: bytes.length, sha256: sha256(bytes), encoded };
  });
}

/** Writes `<path>.gz` and `<path>.br` of `bytes` beside it in `root`, each where smaller; → their sizes by encoding. */
function writeCopies(root, path, bytes) {
  const copies = {
    gz: () => gzipSync(bytes, { level: 9 }),
    br: () => {
      const { quality, window } = brotliSettings(path); // as the native build
      return brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: quality, [zlib.BROTLI_PARAM_LGWIN]: window, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
    },
  };
  const encoded = {};
  for (const [encoding, pack] of Object.entries(copies)) {
    const packed = pack();
    if (packed.length < bytes.length) {
      writeFileSync(join(root, `${path}.${encoding}`), packed);
      encoded[encoding] = packed.length;
    }
  }
  return encoded;
}

/** Refuses a folder that is there and neither empty nor built by this command (no site.json). */
function refuseUnlessSite(dir) {
  if (!existsSync(dir) || dir.endsWith('.partial') || readdirSync(dir).length === 0) return;
  if (!existsSync(join(dir, 'site.json'))) {
    throw new BuildError(`${dir} exists and is not a built site (no site.json): choose another --out`);
  }
}

/** Removes a folder this command built (it has a site.json) or an empty one; refuses others. */
function removeSite(dir) {
  refuseUnlessSite(dir);
  rmSync(dir, { recursive: true, force: true });
}

async function buildSite({ datasets, out, modelDir }) {
  refuseUnlessSite(out); // before any embedding: a wrong --out should not cost minutes
  initSync({ module: readFileSync(new URL('../pkg/localrec_builder_bg.wasm', import.meta.url)) });
  const layout = siteLayout();
  const model = loadModel(modelDir, layout);
  const parts = [];
  for (const dir of datasets) parts.push(await buildCatalog(dir, model, layout.catalogFolder));

  // Written beside `out` and renamed into place at the end; removed if anything fails.
  const partial = `${out}.partial`;
  removeSite(partial);
  try {
    for (const { files } of parts) for (const { path, bytes } of files) write(join(partial, path), bytes);
    for (const path of layout.pageFiles) copyPageFiles(pageFile(path), join(partial, path));
    for (const name of layout.modelFiles) write(join(partial, layout.modelPath, name), model.files[name]);
    // The compact weights go without their word table, whose rows follow in shards by need.
    const weights = siteWeights(model.files[layout.compactWeights]);
    for (const { path, bytes } of weights.files) write(join(partial, path), bytes);
    const files = compressAll(partial);
    const manifest = siteManifest(parts.map((part) => part.catalog), files, weights.model);
    writeFileSync(join(partial, 'site.json'), manifest);
    writeCopies(partial, 'site.json', Buffer.from(manifest)); // every visit reads it first
    removeSite(out);
    renameSync(partial, out);
    const { bytes } = JSON.parse(manifest);
    const mb = (n) => (n / 1e6).toFixed(1);
    console.error(`wrote ${out}: ${files.length + 1} files, ${mb(bytes.plain)} MB (${mb(bytes.gz)} MB gzip, ${mb(bytes.br)} MB brotli), catalogues ${parts.map(({ catalog }) => `${catalog.name} (${catalog.kind}, ${catalog.items} items)`).join(', ')}`);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

try {
  const options = parse(process.argv.slice(2));
  if (options.help) console.log(USAGE);
  else await buildSite(options);
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`localrec: ${error.message}`);
  process.exit(1);
}

#!/usr/bin/env node
// Builds the npm package in dist/package/ (then `npm pack dist/package`): npm/package.json and
// npm/README.md, and the library's modules as the site has them: every file that the entries
// named in the package's `exports` (localrec.js, worker.js, the wasm, the types) import or
// locate with `new URL('…', import.meta.url)`, followed from file to file, so that nothing of
// the demo page (app.js, uPlot) goes in and nothing the library needs is left out. The layout
// is the checkout's (www/, pkg/): every relative URL the library uses stays as it is. The one
// change: a dependency the site loads from its copy of node_modules (`../node_modules/idb/…`)
// is imported by its package name (`idb`), as bundlers and npm expect.
// For the package's `localrec build-site` (bin/localrec.mjs, named in `bin` and followed the
// same way) it also holds `site/`, the page's files as a site serves them (unchanged, with its
// copies of idb and uPlot; the wasm is the library's), and `model/`, the language model's files
// a site carries, with their SHA256SUMS.
//   node scripts/build-package.mjs [out folder] [--model DIR]
//     (after ./scripts/build-web.sh: pkg/ holds the wasm; DIR: a built site's model folder,
//      default dist/demo/models/all-MiniLM-L6-v2)

import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const modelFlag = args.indexOf('--model');
const MODEL = modelFlag >= 0 ? args.splice(modelFlag, 2)[1] : join(ROOT, 'dist/demo/models/all-MiniLM-L6-v2');
const OUT = args[0] ?? join(ROOT, 'dist/package');
// A file the site serves from its node_modules copy → the package that provides it.
const FROM_NODE_MODULES = { 'idb/build/index.js': 'idb' };

class PackageError extends Error {}

/** Every module specifier of `file` (imports, re-exports, import(), new URL(…, import.meta.url)) with its literal's place. */
function specifiers(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const literal = (node, kind) => {
    if (node && ts.isStringLiteralLike(node)) found.push({ kind, spec: node.text, start: node.getStart(source), end: node.getEnd() });
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) literal(node.moduleSpecifier, 'import');
    else if (ts.isImportTypeNode(node)) literal(node.argument?.literal, 'import');
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0], 'import');
    else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL'
      && node.arguments?.length === 2 && node.arguments[1].getText(source) === 'import.meta.url') literal(node.arguments[0], 'asset');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository paths the package holds, from `entries`, and per file the specifiers to rewrite. */
async function collect(entries, dependencies) {
  const files = new Map(); // repo path → [{start, end, to}] (rewrites)
  const queue = [...entries];
  while (queue.length) {
    const path = queue.shift();
    if (files.has(path)) continue;
    if (!existsSync(join(ROOT, path))) throw new PackageError(`${path} is missing (the wasm: run ./scripts/build-web.sh first)`);
    const rewrites = [];
    files.set(path, rewrites);
    if (!/\.(js|mjs|ts)$/.test(path)) continue;
    const text = await readFile(join(ROOT, path), 'utf8');
    for (const { kind, spec, start, end } of specifiers(path, text)) {
      // A URL is relative unless it names a scheme or starts at the root; an import, unless bare.
      const relativeSpec = kind === 'asset' ? !/^([a-z][a-z0-9+.-]*:|\/)/i.test(spec) : /^\.\.?\//.test(spec);
      const inModules = spec.match(/(?:^|\/)node_modules\/(.+)$/);
      if (inModules) {
        const name = FROM_NODE_MODULES[inModules[1]];
        if (!name) throw new PackageError(`${path} imports ${spec}: add its package to FROM_NODE_MODULES in scripts/build-package.mjs`);
        if (!dependencies[name]) throw new PackageError(`${path} imports ${name}, which npm/package.json does not list in dependencies`);
        rewrites.push({ start, end, to: JSON.stringify(name).replace(/"/g, "'") });
      } else if (relativeSpec) {
        const target = posix.normalize(posix.join(posix.dirname(path), spec));
        if (target.startsWith('../')) throw new PackageError(`${path} refers to ${spec}, outside the repository`);
        queue.push(target);
      } else if (spec.startsWith('node:')) {
        // Node's own modules (the package's command runs in Node).
      } else if (!dependencies[spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]]) {
        throw new PackageError(`${path} imports ${spec}, which npm/package.json does not list in dependencies`);
      }
    }
  }
  return files;
}

/** The files `exports` names (every condition), as repository paths. */
function exportTargets(exports) {
  const targets = [];
  const walk = (value) => {
    if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''));
    else for (const inner of Object.values(value ?? {})) walk(inner);
  };
  walk(exports);
  return targets.filter((path) => path !== 'package.json');
}

/** The page's files as a site serves them (`paths`: `localrec::site::PAGE_FILES`) but the wasm's own (pkg/: in the package already), into `to`; returns how many. */
async function copySiteFiles(paths, isPageFile, to) {
  let count = 0;
  const copy = async (from, dest) => {
    if ((await stat(from)).isDirectory()) {
      for (const name of await readdir(from)) {
        const path = join(from, name);
        if ((await stat(path)).isDirectory() || isPageFile(path)) await copy(path, join(dest, name));
      }
      return;
    }
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(from, dest);
    count++;
  };
  for (const path of paths.filter((path) => !path.startsWith('pkg/'))) {
    if (!existsSync(join(ROOT, path))) throw new PackageError(`${path} is missing (the page's files: run npm install)`);
    await copy(join(ROOT, path), join(to, path));
  }
  return count;
}

/**
 * The language model's files a site carries, from MODEL, into `to` with their SHA256SUMS; returns
 * their names. A site's compact weights come without their word table, whose shards are beside
 * them (`words/`): the package gets them joined, the weights its builder embeds with and splits
 * again for the sites it builds.
 */
async function copyModel(names, compactWeights, joinWordShards, to) {
  await mkdir(to, { recursive: true });
  const sums = [];
  for (const name of names) {
    const from = join(MODEL, name);
    if (!existsSync(from)) throw new PackageError(`${from} is missing: build the demo site first (./scripts/build-site.sh), or name a built site's model folder with --model`);
    let bytes = await readFile(from);
    if (name === compactWeights) {
      const words = join(MODEL, 'words');
      const shards = existsSync(words)
        ? await Promise.all((await readdir(words)).filter((file) => file.endsWith('.safetensors')).map((file) => readFile(join(words, file))))
        : [];
      try {
        bytes = joinWordShards(bytes, shards);
      } catch (error) {
        throw new PackageError(`${from} and its word shards (${words}): ${error.message}`);
      }
    }
    await writeFile(join(to, name), bytes);
    sums.push(`${createHash('sha256').update(bytes).digest('hex')}  ${name}`);
  }
  await writeFile(join(to, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  return names;
}

async function main() {
  const manifest = JSON.parse(await readFile(join(ROOT, 'npm/package.json'), 'utf8'));
  // One version and one range per dependency: the crate's, and the ones the site is built with.
  const crate = (await readFile(join(ROOT, 'Cargo.toml'), 'utf8')).match(/^version = "([^"]+)"/m)?.[1];
  if (manifest.version !== crate) throw new PackageError(`npm/package.json has version ${manifest.version}; Cargo.toml has ${crate}`);
  const site = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    const used = site.dependencies?.[name];
    if (used !== range) throw new PackageError(`npm/package.json wants ${name}@${range}; the site is built with ${name}@${used} (package.json)`);
  }
  const entries = [...exportTargets(manifest.exports), ...Object.values(manifest.bin ?? {}).map((path) => path.replace(/^\.\//, ''))];
  const files = await collect(entries, manifest.dependencies ?? {});
  for (const path of files.keys()) {
    if (!manifest.files.some((listed) => path === listed || path.startsWith(listed))) {
      throw new PackageError(`${path} is needed but npm/package.json's "files" leaves it out`);
    }
  }

  await rm(OUT, { recursive: true, force: true });
  for (const [path, rewrites] of files) {
    const to = join(OUT, path);
    await mkdir(dirname(to), { recursive: true });
    if (rewrites.length === 0) {
      await copyFile(join(ROOT, path), to);
      continue;
    }
    let text = await readFile(join(ROOT, path), 'utf8');
    for (const { start, end, to: literal } of rewrites.sort((a, b) => b.start - a.start)) text = text.slice(0, start) + literal + text.slice(end);
    await writeFile(to, text);
  }
  // The site's layout from the wasm (`localrec::site`): the same lists the command reads.
  const { initSync, isPageFile, joinWordShards, siteLayout } = await import('../pkg/localrec_builder.js');
  initSync({ module: readFileSync(join(ROOT, 'pkg/localrec_builder_bg.wasm')) });
  const layout = siteLayout();
  const pageFiles = await copySiteFiles(layout.pageFiles, isPageFile, join(OUT, 'site'));
  const model = await copyModel([...layout.modelFiles, layout.compactWeights], layout.compactWeights, joinWordShards, join(OUT, 'model'));
  await copyFile(join(ROOT, 'npm/README.md'), join(OUT, 'README.md'));
  await writeFile(join(OUT, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${relative(process.cwd(), OUT) || '.'}: ${manifest.name}@${manifest.version}, ${files.size} files (${[...files.keys()].join(', ')}), site/ (${pageFiles} files), model/ (${model.join(', ')})`);
}

main().catch((error) => {
  if (!(error instanceof PackageError)) throw error;
  console.error(`build-package: ${error.message}`);
  process.exit(1);
});

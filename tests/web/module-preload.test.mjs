// index.html preloads the page's whole static module graph: every module www/app.js imports,
// directly or through another, and nothing else. Without a preload each level of imports costs
// a round trip before the next level is asked for, and the catalogue waits behind them all.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The relative specifiers of `file`'s static imports and re-exports (not `import()`). */
function staticImports(file) {
  const source = readFileSync(file, 'utf8');
  const found = [];
  for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gms)) found.push(specifier);
  for (const [, specifier] of source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.push(specifier);
  return found.filter((s) => s.startsWith('.')).map((s) => join(dirname(file), s));
}

function moduleGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    staticImports(file).forEach(visit);
  };
  visit(entry);
  return seen;
}

test("index.html preloads exactly the modules www/app.js imports, at every depth", () => {
  const html = readFileSync(join(REPO, 'index.html'), 'utf8');
  const entry = html.match(/<script type="module" src="([^"]+)"><\/script>/)[1];
  const graph = [...moduleGraph(join(REPO, entry))].map((f) => relative(REPO, f)).filter((f) => f !== entry);
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.ok(graph.length > 20, `the graph was read (${graph.length} modules)`);
  assert.deepEqual(graph.filter((f) => !preloaded.includes(f)).sort(), [], 'imported but not preloaded');
  assert.deepEqual(preloaded.filter((f) => !graph.includes(f)).sort(), [], 'preloaded but not imported');
});

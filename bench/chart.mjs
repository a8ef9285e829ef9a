// Draws bench/results/<file>-peers.json as an SVG bar chart (no dependencies): per configuration,
// sentences/s of localrec and of transformers.js (fp32 and q8) on the same device class, on a
// log scale, with the ratio localrec / transformers.js fp32 printed above each group.
//   node bench/chart.mjs bench/results/<date>-<host>-peers.json  → the same path with .svg

import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2];
if (!path) throw new Error('usage: node bench/chart.mjs <peers.json>');
const results = JSON.parse(readFileSync(path, 'utf8'));
const engines = results.engines.filter((e) => !e.error);

const SERIES = [
  { label: 'localrec', color: '#2a6fdb', pick: (e) => e.library === 'localrec' },
  { label: 'transformers.js fp32', color: '#e07b39', pick: (e) => e.library !== 'localrec' && e.dtype === 'fp32' },
  { label: 'transformers.js q8', color: '#9a9a9a', pick: (e) => e.library !== 'localrec' && e.dtype === 'q8' },
];
const deviceOf = (e) => (e.device === 'webgpu' ? 'WebGPU' : 'CPU');

// One group per (device, set, batch) that localrec ran.
const groups = [];
for (const ours of engines.filter(SERIES[0].pick)) {
  for (const [set, runs] of Object.entries(ours.sets)) {
    for (const run of runs) {
      const values = SERIES.map((series) => {
        const engine = engines.find((e) => series.pick(e) && deviceOf(e) === deviceOf(ours));
        return engine?.sets[set]?.find((r) => r.batch === run.batch)?.sentencesPerS ?? null;
      });
      groups.push({ label: `${deviceOf(ours)} ${set === 'long' ? '128 tok' : 'items'} ×${run.batch}`, values });
    }
  }
}

const width = 80 + groups.length * 74, height = 330, top = 56, bottom = 250, left = 60;
const all = groups.flatMap((g) => g.values).filter((v) => v > 0);
const lo = Math.floor(Math.log10(Math.min(...all))), hi = Math.ceil(Math.log10(Math.max(...all)));
const y = (v) => bottom - ((Math.log10(v) - lo) / (hi - lo)) * (bottom - top);
const text = (x, yy, s, extra = '') => `<text x="${x}" y="${yy}" ${extra}>${s}</text>`;

const parts = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="11">`,
  `<rect width="100%" height="100%" fill="white"/>`,
  text(left, 16, `Sentences per second (log scale), ${results.date.slice(0, 10)}, ${results.host}; label: localrec / transformers.js fp32`, 'font-size="12"'),
];
for (let p = lo; p <= hi; p++) {
  parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(10 ** p)}" y2="${y(10 ** p)}" stroke="#ddd"/>`);
  parts.push(text(left - 6, y(10 ** p) + 4, String(10 ** p), 'text-anchor="end"'));
}
groups.forEach((group, g) => {
  const x0 = left + 10 + g * 74;
  group.values.forEach((v, s) => {
    if (!(v > 0)) return;
    parts.push(`<rect x="${x0 + s * 18}" y="${y(v)}" width="16" height="${bottom - y(v)}" fill="${SERIES[s].color}"/>`);
  });
  if (group.values[0] > 0 && group.values[1] > 0) {
    const top_ = Math.min(...group.values.filter((v) => v > 0).map(y));
    parts.push(text(x0 + 27, top_ - 4, `${(group.values[0] / group.values[1]).toFixed(2)}×`, 'text-anchor="middle" font-weight="bold"'));
  }
  parts.push(text(x0 + 27, bottom + 14, group.label, `text-anchor="end" transform="rotate(-35 ${x0 + 27} ${bottom + 14})"`));
});
SERIES.forEach((series, s) => {
  const x = left + s * 150;
  parts.push(`<rect x="${x}" y="26" width="10" height="10" fill="${series.color}"/>`);
  parts.push(text(x + 14, 35, series.label));
});
parts.push('</svg>');

const out = path.replace(/\.json$/, '.svg');
writeFileSync(out, parts.join('\n'));
console.log(`written to ${out}`);

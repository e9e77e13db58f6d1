// Prints coverage per package from coverage/coverage-summary.json (`npm test -- --coverage`):
// one row per package, lines / statements / functions / branches covered.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8'));
const kinds = ['lines', 'statements', 'functions', 'branches'];
const packages = new Map();
for (const [file, figures] of Object.entries(summary)) {
  if (file === 'total') continue;
  const rel = path.relative(process.cwd(), file).split(path.sep);
  const name = rel[0] === 'packages' ? rel[1] : rel[0];
  const sums = packages.get(name) ?? Object.fromEntries(kinds.map((k) => [k, { covered: 0, total: 0 }]));
  for (const k of kinds) {
    sums[k].covered += figures[k].covered;
    sums[k].total += figures[k].total;
  }
  packages.set(name, sums);
}
const pct = ({ covered, total }) => (total === 0 ? '-' : `${((100 * covered) / total).toFixed(1)}%`);
const rows = [...packages].sort(([a], [b]) => a.localeCompare(b));
rows.push(['total', summary.total]);
console.log(`| package | ${kinds.join(' | ')} |`);
console.log(`|---|${kinds.map(() => '---:').join('|')}|`);
for (const [name, sums] of rows) console.log(`| ${name} | ${kinds.map((k) => pct(sums[k])).join(' | ')} |`);

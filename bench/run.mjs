// `npm run bench`: every benchmark in one command. Prints one table and writes bench/results.md
// with the machine, the date and the figures. Each figure is a ratio against a ceiling measured
// in the same run, or a count — never a bare time on its own.
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SUITES = [
  ['Track API ingest', 'ingest.mjs'],
  ['Pipelines ingest', 'pipelines.mjs'],
  ['Store upserts', 'store.mjs'],
  ['App API search', 'search.mjs'],
  ['Indexed attributes at 1,000,000 people', 'indexed.mjs'],
  ['Segments', 'segments.mjs'],
  ['Objects', 'objects.mjs'],
  ['Segment recheck under live writes', 'recheck.mjs'],
  ['SDK', 'sdk.mjs'],
  ['Push delivery', 'push.mjs'],
  ['Webhooks', 'webhooks.mjs'],
  ['Import', 'import.mjs'],
];
const only = process.argv.slice(2);
// The import benchmark measures the target itself, 1,000,000 rows (about a minute and a half with
// its ceiling and floor); ROSTER_BENCH_IMPORT_ROWS=200000 for a quicker look.
process.env.ROSTER_BENCH_IMPORT_ROWS ??= '1000000';

const sections = [];
for (const [title, file] of SUITES) {
  if (only.length && !only.some((o) => file.startsWith(o))) continue;
  const full = path.join(here, file);
  if (!existsSync(full)) continue;
  const started = Date.now();
  process.stderr.write(`bench: ${title}…\n`);
  try {
    const mod = await import(pathToFileURL(full).href);
    const rows = await mod.run();
    sections.push({ title, rows, seconds: Math.round((Date.now() - started) / 1000) });
  } catch (err) {
    sections.push({
      title,
      rows: [{ name: 'failed', value: null, unit: '', notes: String(err?.message ?? err).slice(0, 200) }],
      seconds: 0,
    });
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Roster benchmark results',
  '',
  `- date: ${new Date().toISOString()}`,
  `- machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`,
  `- node: ${process.version}`,
  '',
  'Each figure sits beside a ceiling measured in the same run (ratio = value / ceiling), or is a count.',
  'How to reproduce and what each benchmark does: bench/README.md.',
  '',
].join('\n');
const body = sections.map((s) => `## ${s.title} (${s.seconds} s)\n\n${table(s.rows)}\n`).join('\n');
const out = `${header}${body}`;
console.log(out);
if (!only.length) writeFileSync(path.join(here, 'results.md'), out);

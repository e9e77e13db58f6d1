/**
 * Every fenced block of README.md and docs/*.md is checked against the product, so the docs cannot
 * drift from it again:
 * - `sh` blocks (also those of CONTRIBUTING.md, bench/README.md and packages/<name>/README.md) run,
 *   in order, against a real `roster serve` of their own (one per file, with the server's data
 *   directory at ./data as `npm start` has it), each command copied verbatim: curl
 *   must reach the server and get an answer that is not a refusal of the request itself (401, 403,
 *   400, 405, 422, 5xx, or a 404 for a route that does not exist); `npx roster …` runs the built CLI
 *   and must exit 0. Commands that install, start a long-running server or need other machines
 *   (npm ci / npm start / npm test, docker, pg_dump / pg_restore) are only syntax-checked, and the
 *   test says which ran and which were stood in for. A block that cannot run here at all (it runs
 *   the test suites or a benchmark, publishes, or belongs in the reader's own app) is preceded by
 *   `<!-- docs-test: not run: <why> -->`: it is only syntax-checked, and the reason is required.
 * - `ts` / `js` blocks are type-checked as a user's TypeScript would be (the SDK's own README blocks
 *   are compiled by packages/sdk/test/types/readme-snippets.test.ts).
 * - `json` blocks parse; blocks in any other language (nginx, Swift, Kotlin, Dart…) and the prose
 *   may only name port 8080 for Roster, and every `/v1/…`, `/api/…` route they name exists.
 */
import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApnsKey, makeServiceAccount } from '../fakes/push-credentials.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'packages/server/dist/cli/main.js');
const FILES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

/** Files whose shell blocks run too (their other blocks are left to their own packages' tests). */
const SHELL_ONLY_FILES = [
  'CONTRIBUTING.md',
  'bench/README.md',
  ...readdirSync(path.join(ROOT, 'packages'))
    .sort()
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(path.join(ROOT, f))),
];

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  /** Why the block is not run (`<!-- docs-test: not run: … -->` on the line before it). */
  notRun?: string;
}

const NOT_RUN = /^<!-- docs-test: not run: (.*\S.*) -->$/;

/** Fenced blocks with their language (the info string's first word) and opening line number. */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i + 1;
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith(fence)) i++;
    const notRun = NOT_RUN.exec(lines[start - 2] ?? '')?.[1];
    out.push({
      file,
      line: start,
      lang: open[2] ?? '',
      code: lines.slice(start, i + 1).join('\n'),
      ...(notRun ? { notRun } : {}),
    });
    i++;
  }
  return out;
}

const ALL = FILES.flatMap(blocksOf);
const SHELL = new Set(['sh', 'bash', 'shell']);
const SHELL_BLOCKS = [...ALL, ...SHELL_ONLY_FILES.flatMap(blocksOf)].filter((b) => SHELL.has(b.lang));

/**
 * What every block runs with: the variables the docs name, and stand-ins for what cannot run in a
 * test. `curl` fails the block on an answer that refuses the documented request itself.
 */
const PRELUDE = readFileSync(path.join(import.meta.dirname, 'prelude.sh'), 'utf8');

/** The default workspace's Pipelines write key, `$WRITE_KEY` in docs/pipelines.md. */
const DOCS_WRITE_KEY = 'wk_docs_0000000000000000000000000001';

const servers: Array<{ server: ServerProcess; dir: string }> = [];
afterAll(async () => {
  for (const { server, dir } of servers) {
    await server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A server and a working directory for one Markdown file, seeded with what its examples name. */
async function workspaceFor(file: string): Promise<{ server: ServerProcess; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-docs-'));
  const server = await startServer({
    engine: 'sqlite',
    dataDir: path.join(dir, 'data'),
    ownStore: true,
    env: { ROSTER_WRITE_KEY: DOCS_WRITE_KEY },
  });
  servers.push({ server, dir });
  const auth = `Basic ${Buffer.from(`${server.credentials.siteId}:${server.credentials.apiKey}`).toString('base64')}`;
  const call = async (method: string, url: string, body: unknown, authorization: string) => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300)
      throw new Error(`seeding ${file}: ${method} ${url} → ${res.status} ${await res.text()}`);
  };
  const app = `Bearer ${server.credentials.appApiKey}`;
  // The people, devices and segments the examples refer to (u1, u2, fcm-1, segments 4 and 7…).
  await call('PUT', '/api/v1/customers/u1', { email: 'a@example.com', first_name: 'Ann', plan: 'pro' }, auth);
  await call('PUT', '/api/v1/customers/u1/devices', { device: { id: 'fcm-1', platform: 'android' } }, auth);
  await call('PUT', '/api/v1/customers/u2', { email: 'b@example.com', first_name: 'Bo' }, auth);
  // Eight, so that the segment docs/segments.md creates first is number 9, as it says.
  for (let i = 1; i <= 8; i++)
    await call('POST', '/v1/segments', { segment: { name: `Segment ${i}`, description: '' } }, app);
  for (const id of [4, 7]) await call('POST', `/api/v1/segments/${id}/add_customers`, { ids: ['u1'] }, auth);
  // The reader's own files that the examples read (credentials that point nowhere but loopback).
  const apns = makeApnsKey();
  writeFileSync(path.join(dir, 'AuthKey_ABC123.p8'), apns.privateKeyPem);
  writeFileSync(
    path.join(dir, 'service-account.json'),
    JSON.stringify(makeServiceAccount('http://127.0.0.1:9/token').json),
  );
  writeFileSync(
    path.join(dir, 'people.csv'),
    'user_id,email,first_name,plan,zip,signup\nu9,cee@example.com,Cee,pro,02134,2024-01-02\n',
  );
  writeFileSync(
    path.join(dir, 'history.jsonl'),
    '{"type":"person","action":"identify","identifiers":{"id":"h1"},"attributes":{"plan":"free"}}\n',
  );
  return { server, dir };
}

describe('docs: shell blocks run against a real server', () => {
  const files = [...new Set(SHELL_BLOCKS.map((b) => b.file))];
  it.each(files)(
    '%s',
    async (file) => {
      const { server, dir } = await workspaceFor(file);
      const log = path.join(dir, 'docs-commands.log');
      writeFileSync(log, '');
      const host = new URL(server.url).host;
      for (const block of SHELL_BLOCKS.filter((b) => b.file === file)) {
        const where = `${file}:${block.line}`;
        const script = path.join(dir, 'block.sh');
        // The docs' address is the default `npm start` one; this server listens on a port of its own.
        const code = block.code
          .replaceAll('http://localhost:8080', server.url)
          .replaceAll('localhost:8080', host);
        writeFileSync(script, `${PRELUDE}\n${code}\n`);
        chmodSync(script, 0o755);
        await run('bash', ['-n', script]).catch((err: Error) => {
          throw new Error(`${where}: not valid shell: ${err.message}`);
        });
        if (block.notRun) {
          appendFileSync(log, `NOT-RUN: ${where}: ${block.notRun}\n`);
          continue;
        }
        try {
          await run('bash', [script], {
            cwd: dir,
            timeout: 60_000,
            env: {
              PATH: process.env.PATH,
              HOME: dir,
              DOCS_LOG: log,
              ROSTER_CLI: CLI,
              R: server.url,
              KEY: server.credentials.appApiKey,
              APP_KEY: server.credentials.appApiKey,
              APP_API_KEY: server.credentials.appApiKey,
              SITE_ID: server.credentials.siteId,
              API_KEY: server.credentials.apiKey,
              WRITE_KEY: DOCS_WRITE_KEY,
              AUTH: `-u ${server.credentials.siteId}:${server.credentials.apiKey}`,
              H: '-H content-type:application/json',
            },
          });
        } catch (err) {
          const e = err as Error & { stderr?: string; stdout?: string };
          throw new Error(
            `${where}: a documented command failed\n${e.stderr ?? ''}\n--- stdout ---\n${e.stdout ?? ''}\n--- block ---\n${block.code}`,
          );
        }
      }
      const done = readFileSync(log, 'utf8').trim().split('\n');
      const stoodIn = done.filter((l) => l.startsWith('STOOD-IN')).map((l) => l.slice(10));
      // Only what cannot run in a test is stood in for.
      for (const s of stoodIn)
        expect(s, file).toMatch(/^(npm (ci|start|test|run \w+)\b|docker compose |pg_dump |pg_restore )/);
      const notRun = done.filter((l) => l.startsWith('NOT-RUN'));
      expect(done.filter((l) => l.startsWith('RAN')).length + stoodIn.length + notRun.length).toBeGreaterThan(
        0,
      );
      // A file's blocks run one after another (each bounded by its own 60 s above); a file of many
      // CLI runs took over 30 s on a CI machine running other suites beside it.
    },
    300_000,
  );
});

describe('docs: TypeScript and JavaScript blocks type-check', () => {
  const blocks = ALL.filter((b) => ['ts', 'js', 'typescript', 'javascript'].includes(b.lang));
  it('every ts/js block of README.md and docs/*.md', () => {
    expect(blocks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(path.join(ROOT, 'test/docs/.snippets-'));
    try {
      const files = blocks.map((b) => {
        const f = path.join(dir, `${b.file.replace(/[/.]/g, '_')}-line-${b.line}.ts`);
        // Placeholders the prose names, declared as the reader fills them in; a block that says
        // "from the repository root" imports relative to it.
        const code = b.code.replace(/from '\.\//g, `from '${ROOT}/`);
        writeFileSync(
          f,
          'declare const SITE_ID: string;\ndeclare const API_KEY: string;\ndeclare const APP_API_KEY: string;\n' +
            `declare const pushToken: string;\n${code}\nexport {};\n`,
        );
        return f;
      });
      const program = ts.createProgram(files, {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Preserve,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        esModuleInterop: true,
      });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .map((d) =>
          ts
            .flattenDiagnosticMessageText(d.messageText, '\n')
            .concat(` (${path.basename(d.file?.fileName ?? '')})`),
        );
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // One TypeScript program over every block: seconds alone, 40 s and more on a loaded 2-core machine.
  }, 300_000);
});

describe('docs: other blocks and the prose', () => {
  it('json blocks parse', () => {
    for (const b of ALL.filter((x) => x.lang === 'json'))
      expect(() => JSON.parse(b.code), `${b.file}:${b.line}`).not.toThrow();
  });

  it('name port 8080 for Roster (5432 is PostgreSQL), and only routes that exist', async () => {
    const server = (await workspaceFor('routes')).server;
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    const known = Object.keys(spec.paths).map(
      (p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+').replace(/\//g, '\\/')}$`),
    );
    for (const file of FILES) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/(?:localhost|127\.0\.0\.1|HOST):(\d{2,5})/g))
        expect(['8080', '5432'], `${file}: ${m[0]}`).toContain(m[1]);
    }
    // Routes named in blocks that are not run (nginx, Swift, Kotlin, Dart…).
    for (const b of ALL.filter((x) => !SHELL.has(x.lang) && !['ts', 'js', 'json', ''].includes(x.lang)))
      for (const m of b.code.matchAll(/\/(?:v1|api\/v[12])\/[\w/.{}:-]*/g)) {
        const route = m[0].replace(/\/$/, '');
        expect(
          known.some((k) => k.test(route)),
          `${b.file}:${b.line} names ${route}`,
        ).toBe(true);
      }
  });
});

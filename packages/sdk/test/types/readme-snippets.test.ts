/**
 * Every TypeScript block of packages/sdk/README.md, and the SDK block of the root README, compiles
 * against the built SDK as a user's app would (`@roster/sdk/*` through the workspace link, bundler
 * resolution with the `react-native` condition as Metro and Vite use, React Native's own types).
 * The README cannot drift from the API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../../..');

/** Fenced ```ts / ```tsx blocks of a Markdown file, with their line numbers. */
function blocks(file: string): Array<{ line: number; lang: string; code: string }> {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Array<{ line: number; lang: string; code: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|tsx)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
    out.push({ line: start, lang: open[1]!, code: lines.slice(start, i + 1).join('\n') });
    i++;
  }
  return out;
}

const dir = mkdtempSync(path.join(root, 'packages/sdk/test/types/.snippets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compile(files: string[]): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['react-native'],
    jsx: ts.JsxEmit.ReactJSX,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    esModuleInterop: true,
  };
  const program = ts.createProgram([...files, path.join(root, 'examples/types/third-party.d.ts')], options);
  return ts.getPreEmitDiagnostics(program).map((d) =>
    ts.formatDiagnostic(d, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => dir,
      getNewLine: () => '\n',
    }),
  );
}

describe('README TypeScript blocks compile', () => {
  it('packages/sdk/README.md, every ts/tsx block, and the root README SDK block', () => {
    const sdkReadme = blocks(path.join(root, 'packages/sdk/README.md'));
    expect(sdkReadme.length).toBeGreaterThanOrEqual(6);
    const rootBlock = blocks(path.join(root, 'README.md')).find((b) => b.code.includes('@roster/sdk'));
    expect(rootBlock).toBeDefined();
    const files = sdkReadme.map((b) => {
      const file = path.join(dir, `sdk-readme-line-${b.line}.${b.lang}`);
      writeFileSync(file, `${b.code}\nexport {};\n`);
      return file;
    });
    // The root README names its placeholders in prose; declare them as the reader would fill them in.
    const rootFile = path.join(dir, `root-readme-line-${rootBlock!.line}.ts`);
    writeFileSync(
      rootFile,
      `declare const SITE_ID: string;\ndeclare const API_KEY: string;\ndeclare const pushToken: string;\n${rootBlock!.code}\nexport {};\n`,
    );
    expect(compile([...files, rootFile])).toEqual([]);
  });

  it('the checker catches a wrong call (so a passing run means something)', () => {
    const file = path.join(dir, 'wrong.ts');
    writeFileSync(
      file,
      "import { Roster } from '@roster/sdk/react-native';\nRoster.initialize({ siteId: 's', apiKey: 'k' });\n",
    );
    expect(compile([file]).join('\n')).toMatch(/storage/);
  });
});

/**
 * @roster/sdk as users install it: `npm pack`, then `npm install ./roster-sdk-x.y.z.tgz` in an empty
 * project (offline: the SDK has no dependencies, so nothing comes from a registry), then used from
 * Node (ES modules and CommonJS) against a real server, bundled by Vite for a browser, and resolved
 * by Metro's own resolver (`metro-resolver`) the way a React Native app bundle does. publint and
 * are-the-types-wrong check the packed tarball.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { IdentifierType } from 'customerio-node';
import { appApi } from './helpers.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
const sdkPackage = JSON.parse(readFileSync(path.join(root, 'packages/sdk/package.json'), 'utf8')) as {
  version: string;
};

let work: string;
let tarball: string;
let app: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'roster-sdk-pack-'));
  // The build is `npm test`'s pretest; --ignore-scripts skips prepack's second build.
  await run('npm', ['pack', '-w', '@roster/sdk', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
  });
  tarball = path.join(work, `roster-sdk-${sdkPackage.version}.tgz`);
  app = path.join(work, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module' }),
  );
  await run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: app,
    env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/' }, // any registry fetch would fail
  });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed SDK', () => {
  it('ships only the build, the README, the CHANGELOG and the LICENSE, with no runtime dependencies', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/README.md');
    expect(files).toContain('package/CHANGELOG.md');
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/dist/node/index.js');
    expect(files).toContain('package/dist/cjs/node/index.js');
    expect(files).toContain('package/dist/cjs/package.json');
    expect(
      files.filter(
        (f) =>
          !/^package\/(dist\/|(node|browser|react-native|testing)\/package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$|package\.json$)/.test(
            f,
          ),
      ),
    ).toEqual([]);
    expect(
      files.filter((f) => f.endsWith('.map') || f.includes('tsbuildinfo') || f.includes('/src/')),
    ).toEqual([]);
    const installed = JSON.parse(
      readFileSync(path.join(app, 'node_modules/@roster/sdk/package.json'), 'utf8'),
    ) as {
      dependencies?: Record<string, string>;
    };
    expect(installed.dependencies ?? {}).toEqual({});
  });

  it('passes publint', async () => {
    const { stdout } = await run(bin('publint'), [tarball, '--strict']);
    expect(stdout).toContain('All good!');
  });

  it('passes are-the-types-wrong for every entry point (ESM, CommonJS, bundlers, node10)', async () => {
    const { stdout } = await run(bin('attw'), [tarball, '--format', 'json'], {
      maxBuffer: 32 * 1024 * 1024,
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const report = JSON.parse(stdout) as {
      analysis: { problems: unknown[]; entrypoints: Record<string, unknown> };
    };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual([
      '.',
      './browser',
      './node',
      './package.json',
      './react-native',
      './testing',
    ]);
  });
});

describe('installed from the tarball into an empty project', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite' });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  const script = (name: string, body: string) => {
    const file = path.join(app, name);
    writeFileSync(file, body);
    return file;
  };
  const env = () => ({
    ...process.env,
    SITE_ID: server.credentials.siteId,
    API_KEY: server.credentials.apiKey,
    URL: server.url,
  });

  it('Node, ES modules: the README initialization, identify and flush reach the server', async () => {
    const file = script(
      'esm.mjs',
      `import { Roster } from '@roster/sdk/node';
Roster.initialize({ siteId: process.env.SITE_ID, apiKey: process.env.API_KEY, trackingApiUrl: process.env.URL, storageDir: './.roster-esm' });
await Roster.identify('pack-esm@example.com', { first_name: 'Esm' });
console.log(JSON.stringify(await Roster.shutdown({ timeoutMs: 10000 })));`,
    );
    const { stdout } = await run(process.execPath, [file], { cwd: app, env: env() });
    expect(JSON.parse(stdout)).toMatchObject({ sent: 1, left: 0 });
    const { customer } = await appApi(server).getAttributes('pack-esm@example.com', IdentifierType.Email);
    expect(customer.attributes.first_name).toBe('Esm');
  });

  it('Node, CommonJS: require() gets the CommonJS build, which works the same', async () => {
    const file = script(
      'cjs.cjs',
      `const { createRoster } = require('@roster/sdk/node');
const roster = createRoster({ siteId: process.env.SITE_ID, apiKey: process.env.API_KEY, trackingApiUrl: process.env.URL, storageDir: './.roster-cjs' });
roster.identify('pack-cjs@example.com', { first_name: 'Cjs' })
  .then(() => roster.shutdown({ timeoutMs: 10000 }))
  .then((r) => console.log(JSON.stringify({ ...r, resolved: require.resolve('@roster/sdk/node') })));`,
    );
    const { stdout } = await run(process.execPath, [file], { cwd: app, env: env() });
    const out = JSON.parse(stdout) as { sent: number; resolved: string };
    expect(out).toMatchObject({ sent: 1, left: 0 });
    expect(out.resolved).toMatch(/node_modules\/@roster\/sdk\/dist\/cjs\/node\/index\.js$/);
    const { customer } = await appApi(server).getAttributes('pack-cjs@example.com', IdentifierType.Email);
    expect(customer.attributes.first_name).toBe('Cjs');
  });

  it('a browser bundle built by Vite: the browser entry, no Node built-ins', async () => {
    writeFileSync(
      path.join(app, 'index.html'),
      '<!doctype html><script type="module" src="./main.js"></script>',
    );
    script(
      'main.js',
      `import { Roster } from '@roster/sdk/browser';
Roster.initialize({ siteId: 'site', apiKey: 'key', trackingApiUrl: 'https://roster.example.com' });
Roster.identify('u1', { first_name: 'Ada' });`,
    );
    const { build } = await import('vite');
    await build({
      root: app,
      logLevel: 'silent',
      configFile: false,
      build: { outDir: path.join(app, 'dist-web') },
    });
    const assets = path.join(app, 'dist-web/assets');
    const js = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(path.join(assets, f), 'utf8'))
      .join('\n');
    expect(js).toContain('X-Roster-Client'); // the SDK is in the bundle
    expect(js).toContain('localStorage'); // its browser shell, not the Node one
    expect(js).not.toMatch(/node:(fs|os|path)/);
  });

  describe("React Native's Metro resolution (metro-resolver)", () => {
    const require = createRequire(import.meta.url);
    const { resolve } = require('metro-resolver') as {
      resolve(
        context: object,
        moduleName: string,
        platform: string | null,
      ): { type: string; filePath?: string };
    };

    /** A Metro resolution context over the real file system, as @react-native/metro-config sets it up. */
    function metroContext(origin: string, packageExports: boolean, isESMImport: boolean) {
      const readJson = (file: string) => {
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        } catch {
          return null;
        }
      };
      return {
        allowHaste: false,
        assetExts: new Set(['png', 'jpg']),
        customResolverOptions: {},
        disableHierarchicalLookup: false,
        doesFileExist: (f: string) => existsSync(f) && statSync(f).isFile(),
        extraNodeModules: null,
        dev: false,
        getPackage: readJson,
        getPackageForModule: (modulePath: string) => {
          for (let dir = path.dirname(modulePath); dir !== path.dirname(dir); dir = path.dirname(dir)) {
            const pkg = readJson(path.join(dir, 'package.json'));
            if (pkg)
              return { packageJson: pkg, rootPath: dir, packageRelativePath: path.relative(dir, modulePath) };
          }
          return null;
        },
        isESMImport,
        fileSystemLookup: (p: string) => {
          try {
            const s = statSync(p);
            return { exists: true, type: s.isDirectory() ? 'd' : 'f', realPath: realpathSync(p) };
          } catch {
            return { exists: false };
          }
        },
        mainFields: ['react-native', 'browser', 'main'],
        originModulePath: origin,
        nodeModulesPaths: [],
        preferNativePlatform: true,
        resolveAsset: () => null,
        redirectModulePath: (p: string) => p,
        resolveHasteModule: () => undefined,
        resolveHastePackage: () => undefined,
        sourceExts: ['js', 'jsx', 'json', 'ts', 'tsx', 'cjs', 'mjs'],
        unstable_conditionNames: ['react-native'],
        unstable_conditionsByPlatform: { web: ['browser'] },
        unstable_enablePackageExports: packageExports,
        unstable_incrementalResolution: false,
        unstable_logWarning: () => {},
      };
    }

    const origin = () => script('App.js', "import { Roster } from '@roster/sdk/react-native';\n");
    const expected = () =>
      path.join(realpathSync(app), 'node_modules/@roster/sdk/dist/react-native/index.js');

    it.each([
      ['package exports (React Native 0.79+), import', true, true],
      ['package exports (React Native 0.79+), require', true, false],
      ['no package exports (older Metro): the react-native field of the subpath folder', false, false],
    ])('%s → the ES module build of the React Native entry', (_name, packageExports, esm) => {
      for (const platform of ['ios', 'android']) {
        const result = resolve(
          metroContext(origin(), packageExports, esm),
          '@roster/sdk/react-native',
          platform,
        );
        expect(result).toEqual({ type: 'sourceFile', filePath: expected() });
      }
    });
  });
});

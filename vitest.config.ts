import { defineConfig } from 'vitest/config';

// One runner for every package. Suites that start real server processes share a machine of
// 2 cores, so files run in a small fork pool. A test's timeout only catches a hang: at load 20+ on
// 2 cores a test that spawns the CLI took over 30 s, so the default is generous and the longest
// suites set their own.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // expect.poll waits for a condition (a live count, a page that renders after a request): on a
    // busy 2-core machine that can take longer than vitest's default second. A poll that holds
    // returns at once; only a failing one waits this long.
    expect: { poll: { timeout: 10_000 } },
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    globalSetup: ['test/global-setup.ts'],
    // `npm test -- --coverage` (CI does): the code that runs inside vitest's workers. Servers the
    // end-to-end suites start as child processes are not counted, so the figures are a floor.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
    // SDK type tests (expectTypeOf, @ts-expect-error) run with tsc as part of every `npm test`.
    typecheck: {
      enabled: true,
      include: ['packages/sdk/test/types/**/*.test-d.ts'],
      tsconfig: 'packages/sdk/test/tsconfig.json',
    },
  },
});

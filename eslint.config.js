import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dashboard's layers (packages/dashboard/README.md): a page (feature folder) never imports
 * another page; shared pieces live in components/ (UI), models/ (pure logic, no Preact, no I/O),
 * lib/ (hooks, router), api/ (the App API), data/ (shared data hooks); only app/ knows every page.
 */
function dashboardBoundaries() {
  const src = 'packages/dashboard/src';
  const pages = ['people', 'person', 'segments', 'activity', 'messages', 'settings', 'login', 'not-found'];
  const message = 'A page never imports another page: move what they share to components/, models/ or data/.';
  const restrict = (files, patterns, why) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message: why }] }] },
  });
  return [
    ...pages.map((page) =>
      restrict(
        [`${src}/${page}/**`],
        pages.filter((p) => p !== page).map((p) => `../${p}/*`),
        message,
      ),
    ),
    restrict(
      [`${src}/components/**`, `${src}/lib/**`, `${src}/api/**`, `${src}/data/**`],
      [...pages, 'app'].flatMap((p) => [`../${p}/*`, `../../${p}/*`]),
      'Shared code never imports a page or the app shell.',
    ),
    restrict(
      [`${src}/models/**`],
      [
        'preact',
        'preact/*',
        '../api/*',
        '../lib/*',
        '../components/*',
        '../data/*',
        ...pages.map((p) => `../${p}/*`),
      ],
      'models/ is pure: no Preact, no API calls, no pages (unit-tested in packages/dashboard/test).',
    ),
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'bench/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...dashboardBoundaries(),
  {
    // The SDK core runs on Node, browsers and React Native: no platform globals or node: imports.
    files: ['packages/sdk/src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'process',
        'navigator',
        'localStorage',
        'Buffer',
        'global',
        '__dirname',
      ],
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'fs', 'path', 'os', 'http', 'https', 'crypto'] },
      ],
    },
  },
);

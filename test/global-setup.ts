import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string;
  }
}

/** The PostgreSQL most machines here have: local, trust auth. */
const LOCAL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * `npm test` needs no set-up: when TEST_DATABASE_URL is not given and a local PostgreSQL answers,
 * the run creates a database of its own there (dropped at the end) so the PostgreSQL suites run too.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('testDatabaseUrl', given);
    return async () => {};
  }
  const admin = new pg.Client({ connectionString: LOCAL_DEFAULT, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    project.provide('testDatabaseUrl', '');
    return async () => {};
  }
  const name = `roster_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(LOCAL_DEFAULT);
  url.pathname = `/${name}`;
  project.provide('testDatabaseUrl', url.toString());
  return async () => {
    const c = new pg.Client({ connectionString: LOCAL_DEFAULT });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  };
}

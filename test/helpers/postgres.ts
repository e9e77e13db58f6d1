import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/**
 * PostgreSQL for tests. `TEST_DATABASE_URL` (or, without it, a local PostgreSQL found by
 * `test/global-setup.ts`) names a server and a database we may create databases from; each suite
 * gets a fresh database of its own and drops it afterwards. With no PostgreSQL at all the
 * PostgreSQL runs skip themselves with a notice; in CI (`CI` set) that fails the run instead.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || inject('testDatabaseUrl') || undefined;

export function postgresAvailable(): boolean {
  if (TEST_DATABASE_URL) return true;
  if (process.env.CI) throw new Error('CI requires TEST_DATABASE_URL: the PostgreSQL suites must run');
  console.warn(
    '[roster tests] no PostgreSQL (TEST_DATABASE_URL unset, none on 127.0.0.1:5432): skipping its runs',
  );
  return false;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'roster'): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${label}_${randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The engines a behaviour suite runs on: always SQLite, and PostgreSQL when available. */
export function engines(): Array<'sqlite' | 'postgres'> {
  return postgresAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];
}

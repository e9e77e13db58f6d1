import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as initial from './001-initial.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly Migration[] = [{ version: 1, name: 'initial', up: initial.up }];

/** The two engines Roster runs on. SQL that differs between them branches on this. */
export type DialectName = 'sqlite' | 'postgres';

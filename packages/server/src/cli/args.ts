import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliStoreConfig } from './config.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command's arguments came to: parsed values, or the exit code it has already answered with. */
export type Parsed<O extends Options> =
  | {
      ok: true;
      values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
      positionals: string[];
    }
  | { ok: false; code: number };

/**
 * `parseArgs` for one command, with the behaviour users expect of every command: `--help` / `-h`
 * prints its usage to stdout (exit 0), and an unknown option or a missing value names the problem,
 * then shows the usage on stderr (exit 2), instead of Node's raw parser error.
 */
export function commandArgs<O extends Options>(
  command: string,
  usage: string,
  args: string[],
  options: O,
): Parsed<O> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return { ok: false, code: 0 };
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { ok: true, values, positionals };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw err;
    const message = (err as Error).message
      .split('. ')[0]!
      .replace(/^(Unknown option|Option)/, (m) => m.toLowerCase());
    process.stderr.write(`roster ${command}: ${message}\n\n${usage}\n`);
    return { ok: false, code: 2 };
  }
}

/**
 * For commands that read an existing store: a SQLite data directory without `roster.db` is a
 * mistake (usually a missing `--data`), not a reason to create an empty database there.
 */
export function requireExistingStore(config: CliStoreConfig): void {
  if (config.databaseUrl) return;
  const file = path.join(config.dataDir, 'roster.db');
  if (!existsSync(file))
    throw new Error(
      `no database at ${file}: pass --data DIR (the directory roster serve uses, ROSTER_DATA_DIR) ` +
        'or --database-url URL',
    );
}

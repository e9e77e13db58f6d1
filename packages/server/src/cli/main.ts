#!/usr/bin/env node
import { commandArgs } from './args.js';
import { serve } from './serve.js';
import { workspaceCommand } from './workspace.js';
import { importCommand } from './import.js';
import { exportCommand } from './export.js';
import { backupCommand } from './backup.js';

const SERVE_USAGE = `usage:
  roster serve [--port 8080] [--host 0.0.0.0] [--data ./data] [--database-url URL] [--log-level info]
               [--public-url https://roster.example.com] [--tls-cert cert.pem --tls-key key.pem]
  Serves the Track API, App API and dashboard; the environment and defaults are in the README's
  Configuration table (PORT, HOST, ROSTER_DATA_DIR, DATABASE_URL, ROSTER_LOG_LEVEL, …).`;

const USAGE = `roster — self-hosted people identification (Customer.io-compatible)

usage:
  roster serve [--port 8080] [--host 0.0.0.0] [--data ./data] [--database-url URL] [--log-level info]
               [--public-url https://roster.example.com] [--tls-cert cert.pem --tls-key key.pem]
  roster workspace create | list | rotate-keys …
  roster import FILE [--id-column NAME] [--site-id SITE_ID] …   (CSV or JSON Lines of people, devices, events)
  roster export [people|events] [--format jsonl|csv] [--filter JSON] [--output FILE]
  roster backup FILE                                            (online copy of the SQLite store)
  roster COMMAND --help                                         (that command's options)

environment: PORT, HOST, ROSTER_DATA_DIR, DATABASE_URL, ROSTER_LOG_LEVEL, ROSTER_SQLITE_SYNCHRONOUS, ROSTER_APP_API_RATE_LIMIT,
             ROSTER_SITE_ID + ROSTER_API_KEY + ROSTER_APP_API_KEY (the default workspace's keys),
             ROSTER_WRITE_KEY, ROSTER_SERVER_WRITE_KEY (its Pipelines write keys), ROSTER_PUBLIC_URL,
             ROSTER_TLS_CERT + ROSTER_TLS_KEY, ROSTER_PIPELINES_MAX_CONCURRENT`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const args = commandArgs('serve', SERVE_USAGE, rest, {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        data: { type: 'string' },
        'database-url': { type: 'string' },
        'log-level': { type: 'string' },
        'public-url': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
      });
      if (!args.ok) return args.code;
      if (args.positionals.length > 0) {
        process.stderr.write(`roster serve: unexpected argument ${args.positionals[0]}\n\n${SERVE_USAGE}\n`);
        return 2;
      }
      await serve(args.values);
      return -1; // keeps running
    }
    case 'workspace':
      return workspaceCommand(rest);
    case 'import':
      return importCommand(rest);
    case 'export':
      return exportCommand(rest);
    case 'backup':
      return backupCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`roster: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

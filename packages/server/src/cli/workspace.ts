import { systemClock } from '../lib/clock.js';
import { createServices, type Services } from '../services/services.js';
import { WorkspaceService } from '../services/workspaces.js';
import type { IdentifierMode } from '../store/workspaces/workspace.js';
import { openStore } from '../store/open-store.js';
import { commandArgs, requireExistingStore } from './args.js';
import { storeConfig } from './config.js';
import { stderrLog } from './stderr-log.js';
import { parseSecretRotation, parseWorkspaceUpdate } from '../services/workspace-settings-input.js';

const USAGE = `usage:
  roster workspace create [--name NAME] [--identifier-mode id|email|email_or_id] [--data DIR] [--database-url URL]
  roster workspace list [--data DIR] [--database-url URL]
  roster workspace rotate-keys SITE_ID [--track] [--app] [--write] [--server-write] [--data DIR] [--database-url URL]
      (rotates the tracking and App API keys unless --track, --app, --write or --server-write narrows it;
       --write replaces the Pipelines write key, --server-write makes or replaces the server write key)
  roster workspace identity-secret SITE_ID [--overlap SECONDS] [--data DIR] [--database-url URL]
      (a new secret for signed identify, shown once; the previous one is accepted for --overlap,
       default 86400)
  roster workspace identity-verification SITE_ID off|log|enforce [--data DIR] [--database-url URL]`;

const SUBCOMMANDS = ['create', 'list', 'rotate-keys', 'identity-secret', 'identity-verification'];
/** Positional arguments after the subcommand. */
const ARITY: Record<string, number> = { 'rotate-keys': 1, 'identity-secret': 1, 'identity-verification': 2 };

/** `roster workspace create | list | rotate-keys`: operator commands against the same store. */
export async function workspaceCommand(args: string[]): Promise<number> {
  const parsed = commandArgs('workspace', USAGE, args, {
    name: { type: 'string' },
    'identifier-mode': { type: 'string' },
    data: { type: 'string' },
    'database-url': { type: 'string' },
    track: { type: 'boolean' },
    app: { type: 'boolean' },
    write: { type: 'boolean' },
    'server-write': { type: 'boolean' },
    json: { type: 'boolean' },
    overlap: { type: 'string' },
  });
  if (!parsed.ok) return parsed.code;
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (!sub || !SUBCOMMANDS.includes(sub)) {
    process.stderr.write(`${sub ? `roster workspace: unknown subcommand ${sub}\n\n` : ''}${USAGE}\n`);
    return 2;
  }
  if (rest.length > (ARITY[sub] ?? 0)) {
    process.stderr.write(`roster workspace ${sub}: unexpected argument ${rest.at(-1)}\n\n${USAGE}\n`);
    return 2;
  }
  const config = storeConfig({ data: values.data, 'database-url': values['database-url'] });
  // Creating a workspace may create the store; listing and rotating keys need one that exists.
  if (sub !== 'create') requireExistingStore(config);
  const store = await openStore({ ...config, migrationLog: stderrLog });
  const service = new WorkspaceService(store, systemClock);
  try {
    if (sub === 'create') await create(service, values);
    else if (sub === 'list') await list(service, values.json);
    else if (sub === 'identity-secret' || sub === 'identity-verification')
      return await identity(sub, rest, values, service, createServices(store, systemClock));
    else return await rotateKeys(rest[0], values, service);
    return 0;
  } finally {
    await store.close();
  }
}

/** The flags every subcommand may read. */
interface Flags {
  name?: string | undefined;
  'identifier-mode'?: string | undefined;
  track?: boolean | undefined;
  app?: boolean | undefined;
  write?: boolean | undefined;
  'server-write'?: boolean | undefined;
  json?: boolean | undefined;
  overlap?: string | undefined;
}

async function create(service: WorkspaceService, values: Flags): Promise<void> {
  const { workspace, credentials } = await service.create({
    name: values.name ?? 'Workspace',
    identifierMode: values['identifier-mode'] as IdentifierMode | undefined,
  });
  print(values.json, { ...credentials, name: workspace.name, identifier_mode: workspace.identifierMode });
}

async function list(service: WorkspaceService, json: boolean | undefined): Promise<void> {
  const all = await service.list();
  // Never the identity secrets: they are shown once, when made.
  if (json)
    print(
      true,
      all.map(({ identitySecrets: _secrets, ...w }) => w),
    );
  else {
    process.stdout.write('site_id\tidentifier_mode\tname\n');
    for (const w of all) process.stdout.write(`${w.siteId}\t${w.identifierMode}\t${w.name}\n`);
  }
}

/** `identity-secret SITE_ID` rotates the signed-identify secret; `identity-verification SITE_ID MODE` sets the mode. */
async function identity(
  sub: 'identity-secret' | 'identity-verification',
  rest: string[],
  values: Flags,
  service: WorkspaceService,
  services: Services,
): Promise<number> {
  const ws = rest[0] ? await service.bySiteId(rest[0]) : undefined;
  if (!ws) {
    process.stderr.write(
      rest[0] ? `roster workspace ${sub}: no workspace with site id ${rest[0]}\n` : `${USAGE}\n`,
    );
    return 2;
  }
  const settings = services.workspaceSettings;
  if (sub === 'identity-secret') {
    const overlap = values.overlap === undefined ? undefined : Number(values.overlap);
    print(
      values.json,
      await settings.rotateIdentitySecret(
        ws,
        parseSecretRotation(overlap === undefined ? {} : { overlap_seconds: overlap }),
      ),
    );
    return 0;
  }
  const view = await settings.update(
    ws,
    parseWorkspaceUpdate({ settings: { identityVerification: rest[1] } }),
  );
  const mode = (view.workspace.settings as { identityVerification: string }).identityVerification;
  print(values.json, { site_id: ws.siteId, identity_verification: mode });
  return 0;
}

/** `rotate-keys SITE_ID`: the tracking and App API keys unless --track, --app, --write or --server-write narrows it. */
async function rotateKeys(
  siteId: string | undefined,
  values: Flags,
  service: WorkspaceService,
): Promise<number> {
  if (!siteId) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const writes = Boolean(values.write || values['server-write']);
  const both = !values.track && !values.app && !writes;
  const out: Record<string, string | undefined> = {};
  if (both || values.track || values.app)
    Object.assign(
      out,
      await service.rotateKeys(siteId, { track: both || values.track, app: both || values.app }),
    );
  if (writes)
    Object.assign(
      out,
      await service.rotateWriteKeys(siteId, { write: values.write, serverWrite: values['server-write'] }),
    );
  print(values.json, out);
  return 0;
}

function print(json: boolean | undefined, value: object): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else for (const [k, v] of Object.entries(value)) process.stdout.write(`${k}\t${String(v)}\n`);
}

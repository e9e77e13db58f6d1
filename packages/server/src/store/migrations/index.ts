import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as initial from './001-initial.js';
import * as trackLinks from './002-track-links.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'track-links', up: trackLinks.up },
  { version: 10, name: 'messaging', up: async (db, d) => (await import('./010-messaging.js')).up(db, d) },
  {
    version: 20,
    name: 'app-api-indexes',
    up: async (db) => (await import('./020-app-api-indexes.js')).up(db),
  },
  { version: 30, name: 'segments', up: async (db, d) => (await import('./030-segments.js')).up(db, d) },
  { version: 40, name: 'import-jobs', up: async (db, d) => (await import('./040-import-jobs.js')).up(db, d) },
  { version: 50, name: 'campaigns', up: async (db, d) => (await import('./050-campaigns.js')).up(db, d) },
  { version: 60, name: 'pipelines', up: async (db, d) => (await import('./060-pipelines.js')).up(db, d) },
  { version: 70, name: 'objects', up: async (db, d) => (await import('./070-objects.js')).up(db, d) },
  {
    version: 71,
    name: 'segment-catchup',
    up: async (db, d) => (await import('./071-segment-catchup.js')).up(db, d),
  },
  {
    version: 72,
    name: 'object-campaigns',
    up: async (db, d) => (await import('./072-object-campaigns.js')).up(db, d),
  },
  {
    version: 73,
    name: 'object-delete-followup',
    up: async (db, d) => (await import('./073-object-delete-followup.js')).up(db, d),
  },
  {
    version: 85,
    name: 'identity-secrets',
    up: async (db, d) => (await import('./085-identity-secrets.js')).up(db, d),
  },
  {
    version: 86,
    name: 'email-nfc',
    up: async (db, d) => (await import('./086-email-nfc.js')).up(db, d),
  },
  {
    version: 87,
    name: 'write-key-overlap',
    up: async (db, d) => (await import('./087-write-key-overlap.js')).up(db, d),
  },
  {
    version: 90,
    name: 'change-notifications',
    up: async (db, d) => (await import('./090-change-notifications.js')).up(db, d),
  },
  {
    version: 91,
    name: 'work-notifications',
    up: async (db, d) => (await import('./091-work-notifications.js')).up(db, d),
  },
  {
    version: 92,
    name: 'write-key-notifications',
    up: async (db, d) => (await import('./092-write-key-notifications.js')).up(db, d),
  },
  {
    version: 95,
    name: 'partitioned-history',
    up: async (db, d) => (await import('./095-partitioned-history.js')).up(db, d),
  },
  {
    version: 98,
    name: 'attribute-indexes',
    up: async (db, d) => (await import('./098-attribute-indexes.js')).up(db, d),
  },
  { version: 100, name: 'webhooks', up: async (db, d) => (await import('./100-webhooks.js')).up(db, d) },
  {
    version: 101,
    name: 'campaign-pending-sends',
    up: async (db, d) => (await import('./101-campaign-pending-sends.js')).up(db, d),
  },
  {
    version: 102,
    name: 'campaign-webhook-actions',
    up: async (db, d) => (await import('./102-campaign-webhook-actions.js')).up(db, d),
  },
  {
    version: 105,
    name: 'webhook-events',
    up: async (db, d) => (await import('./105-webhook-events.js')).up(db, d),
  },
  {
    version: 110,
    name: 'identifier-prefix-indexes',
    up: async (db, d) => (await import('./110-identifier-prefix-indexes.js')).up(db, d),
  },
  {
    version: 115,
    name: 'smaller-history',
    up: async (db, d) => (await import('./115-smaller-history.js')).up(db, d),
  },
  {
    version: 120,
    name: 'history-default-partitions',
    up: async (db, d) => (await import('./120-history-default-partitions.js')).up(db, d),
  },
  {
    version: 121,
    name: 'delivery-workspaces',
    up: async (db, d) => (await import('./121-delivery-workspaces.js')).up(db, d),
  },
  {
    version: 122,
    name: 'workspace-keys',
    up: async (db, d) => (await import('./122-workspace-keys.js')).up(db, d),
  },
  {
    version: 123,
    name: 'workspace-keys-segments',
    up: async (db, d) => (await import('./123-workspace-keys-segments.js')).up(db, d),
  },
  {
    version: 124,
    name: 'attribute-index-shape',
    up: async (db, d) => (await import('./124-attribute-index-shape.js')).up(db, d),
  },
  {
    version: 125,
    name: 'workspace-keys-people',
    up: async (db, d) => (await import('./125-workspace-keys-people.js')).up(db, d),
  },
  {
    version: 126,
    name: 'workspace-keys-pending-sends',
    up: async (db, d) => (await import('./126-workspace-keys-pending-sends.js')).up(db, d),
  },
  {
    version: 130,
    name: 'held-webhook-deliveries',
    up: async (db, d) => (await import('./130-held-webhook-deliveries.js')).up(db, d),
  },
  {
    version: 131,
    name: 'workspace-keys-webhooks',
    up: async (db, d) => (await import('./131-workspace-keys-webhooks.js')).up(db, d),
  },
  {
    version: 132,
    name: 'webhook-cursors',
    up: async (db, d) => (await import('./132-webhook-cursors.js')).up(db, d),
  },
  {
    version: 133,
    name: 'activities-without-rowid',
    up: async (db, d) => (await import('./133-activities-without-rowid.js')).up(db, d),
  },
  {
    version: 140,
    name: 'person-view-function',
    up: async (db, d) => (await import('./140-person-view-function.js')).up(db, d),
  },
  {
    version: 145,
    name: 'hot-tables-workspace-fk',
    up: async (db, d) => (await import('./145-hot-tables-workspace-fk.js')).up(db, d),
  },
  {
    version: 146,
    name: 'people-fillfactor',
    up: async (db, d) => (await import('./146-people-fillfactor.js')).up(db, d),
  },
  {
    version: 151,
    name: 'event-view-function',
    up: async (db, d) => (await import('./151-event-view-function.js')).up(db, d),
  },
];

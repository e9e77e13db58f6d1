import { sql, type Kysely } from 'kysely';
import { emailKey, storedEmail } from '../../lib/email.js';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/** People read per page while the stored emails are normalised (bounded memory on any size). */
const PAGE = 1000;

/**
 * Emails in NFC (docs/operations.md "Upgrading: emails in NFC"). Until now an email was compared
 * lower-cased only, so `josé@x.com` typed precomposed (NFC) and decomposed (NFD) could be two people.
 * This rewrites, in place, every stored email that is not in its NFC spelling (`people.email`,
 * `people.email_norm` and email suppressions). Only rows with a non-ASCII email are read: an ASCII
 * email is already in NFC.
 *
 * When a person's normalised email already belongs to another person of the workspace, the two are
 * the same person written twice. The migration cannot merge them (a merge moves devices, events,
 * relationships and memberships and tells webhook subscribers: the Track service's work), so it
 * leaves that person's email as it was and lists them in `email_merges`; the server merges each into
 * the person the email now finds, as `POST /api/v1/merge_customers` would, once it has started
 * (services/identity/email-merges.ts). Idempotent.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('email_merges')
    .ifNotExists()
    .addColumn('pid', t.bigint, (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull())
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  const now = Math.floor(Date.now() / 1000);
  const nonAscii =
    dialect === 'postgres'
      ? sql`octet_length(email_norm) <> char_length(email_norm)`
      : sql`length(cast(email_norm as blob)) <> length(email_norm)`;
  for (let after = 0; ;) {
    const { rows } = await sql<{ pid: number | string; workspace_id: number | string; email: string }>`
      select pid, workspace_id, email from people
      where pid > ${after} and email_norm is not null and ${nonAscii}
      order by pid limit ${PAGE}`.execute(db);
    for (const row of rows) {
      const pid = Number(row.pid);
      const email = storedEmail(row.email);
      const key = emailKey(row.email);
      const { rows: holders } = await sql<{ pid: number | string }>`
        select pid from people where workspace_id = ${row.workspace_id} and email_norm = ${key} and pid <> ${pid}`.execute(
        db,
      );
      if (holders.length === 0) {
        await sql`update people set email = ${email}, email_norm = ${key} where pid = ${pid}
          and (email <> ${email} or email_norm <> ${key})`.execute(db);
        continue;
      }
      await sql`insert into email_merges (pid, workspace_id, email_key, created_at)
        values (${pid}, ${row.workspace_id}, ${key}, ${now}) on conflict do nothing`.execute(db);
    }
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.pid);
  }
  const suppressionNonAscii =
    dialect === 'postgres'
      ? sql`octet_length(value) <> char_length(value)`
      : sql`length(cast(value as blob)) <> length(value)`;
  const { rows: suppressed } = await sql<{ workspace_id: number | string; value: string }>`
    select workspace_id, value from suppressions where kind = 'email' and ${suppressionNonAscii}`.execute(db);
  for (const s of suppressed) {
    const key = emailKey(s.value);
    if (key === s.value) continue;
    await sql`insert into suppressions (workspace_id, kind, value, created_at, group_key)
      select workspace_id, kind, ${key}, created_at, group_key from suppressions
      where workspace_id = ${s.workspace_id} and kind = 'email' and value = ${s.value}
      on conflict (workspace_id, kind, value) do nothing`.execute(db);
    await sql`delete from suppressions where workspace_id = ${s.workspace_id} and kind = 'email' and value = ${s.value}`.execute(
      db,
    );
  }
}

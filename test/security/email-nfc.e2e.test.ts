import { createHmac } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type PipelinesServer } from '../pipelines/helpers.js';
import { basic, bearer, call } from './helpers.js';

/**
 * Emails in NFC (docs/track-api.md "Emails"): `josé@…` typed precomposed (NFC) or decomposed (NFD)
 * is one address, hence one person, whichever API writes or reads it. A database written before
 * holds such people twice: the upgrade (migration 086) merges them.
 */
const NFC = 'jos\u00e9@nfc.example';
const NFD = 'jose\u0301@nfc.example';
const NFD_UPPER = 'JOSE\u0301@NFC.EXAMPLE';

describe.each(engines())('emails in Unicode NFC on %s', (engine) => {
  let s: PipelinesServer;
  const creds = () => s.server.credentials;
  const enc = encodeURIComponent;
  const lookup = async (email: string) =>
    (await call(s.server, 'GET', `/v1/customers?email=${enc(email)}`, bearer(creds()))).json
      .results as Array<{
      cio_id: string;
      email: string;
    }>;

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  }, 60_000);
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it('every write and lookup path finds one person for both spellings', async () => {
    expect(NFC).not.toBe(NFD);
    // Track v1 by path, in both spellings.
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(NFC)}`, basic(creds()), { a: 1 })).status,
    ).toBe(200);
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(NFD)}`, basic(creds()), { b: 2 })).status,
    ).toBe(200);
    // Track v2 identifiers, upper-cased and decomposed.
    const v2 = await call(s.server, 'POST', '/api/v2/entity', basic(creds()), {
      type: 'person',
      action: 'identify',
      identifiers: { email: NFD_UPPER },
      attributes: { c: 3 },
    });
    expect(v2.status).toBe(200);
    // An id-addressed identify naming the email in its body.
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(NFD)}`, basic(creds()), { email: NFD, d: 4 }))
        .status,
    ).toBe(200);
    // Pipelines: userId and traits.email.
    const batch = await s.post(
      '/v1/batch',
      {
        batch: [
          { type: 'identify', userId: NFD, traits: { e: 5 }, messageId: 'nfc-1' },
          { type: 'identify', traits: { email: NFD, f: 6 }, messageId: 'nfc-2' },
          { type: 'track', userId: NFD, event: 'nfc_event', messageId: 'nfc-3' },
        ],
      },
      { headers: { authorization: s.basic() } },
    );
    expect(batch.status).toBe(200);

    const found = await lookup(NFD);
    expect(found).toHaveLength(1);
    // Stored in NFC, whatever spelling arrived first.
    expect(found[0]!.email).toBe(NFC);
    expect(await lookup(NFC)).toEqual(found);
    expect(await lookup(NFD_UPPER)).toEqual(found);
    for (const email of [NFC, NFD, NFD_UPPER]) {
      const p = await s.person(email, 'email');
      expect(p?.attributes, email).toMatchObject({ a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' });
    }
    // Search and filters compare the same key.
    const search = await call(s.server, 'POST', '/v1/customers', bearer(creds()), {
      filter: { and: [{ attribute: { field: 'email', operator: 'eq', value: NFD } }] },
    });
    expect(search.status).toBe(200);
    expect(search.json.identifiers).toEqual([expect.objectContaining({ cio_id: found[0]!.cio_id })]);
    // A merge naming the decomposed spelling addresses the same person (a no-op with itself).
    const merge = await call(s.server, 'POST', '/api/v1/merge_customers', basic(creds()), {
      primary: { email: NFD },
      secondary: { email: NFC },
    });
    expect(merge.status).toBe(200);
    expect(await lookup(NFC)).toEqual(found);
  });

  it('a suppression in one spelling blocks the other', async () => {
    const a = 'ren\u00e9e@nfc.example';
    const b = 'rene\u0301e@nfc.example';
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(a)}`, basic(creds()), { x: 1 })).status,
    ).toBe(200);
    expect(
      (await call(s.server, 'POST', `/api/v1/customers/${enc(b)}/suppress`, basic(creds()))).status,
    ).toBe(200);
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(a)}`, basic(creds()), { x: 2 })).status,
    ).toBe(200);
    expect(await lookup(a)).toHaveLength(0);
  });

  it('signed identify accepts a token for the NFC spelling whichever spelling the app sends', async () => {
    const made = await call(s.server, 'POST', '/v1/workspace/identity-secret', bearer(creds()), {});
    expect(made.status).toBe(200);
    const secret = made.json.identity_secret as string;
    const mode = (m: string) =>
      call(s.server, 'PUT', '/v1/workspace', bearer(creds()), { settings: { identityVerification: m } });
    expect((await mode('enforce')).status).toBe(200);
    try {
      const exp = Math.floor(Date.now() / 1000) + 3600;
      const sign = (id: string) =>
        `${exp}.${createHmac('sha256', secret).update(`${id}.${exp}`).digest('hex')}`;
      const put = (path: string, token: string) =>
        call(
          s.server,
          'PUT',
          `/api/v1/customers/${enc(path)}`,
          basic(creds()),
          { signed: 1 },
          {
            'x-roster-identity-signature': token,
          },
        );
      expect((await put(NFD, sign(NFC))).status).toBe(200);
      expect((await put(NFD, sign(NFD))).status).toBe(200);
      expect((await put(NFC, sign(NFC))).status).toBe(200);
      // The NFC form, not any other spelling: a token for the decomposed one does not cover NFC.
      expect((await put(NFC, sign(NFD))).status).toBe(403);
      const v2 = await call(s.server, 'POST', '/api/v2/entity', basic(creds()), {
        type: 'person',
        action: 'identify',
        identifiers: { email: NFD },
        identity_signature: sign(NFC),
        attributes: { v2signed: 1 },
      });
      expect(v2.status).toBe(200);
      // Ids are exact strings: an id's NFC form signs nothing else.
      const id = await call(s.server, 'POST', '/api/v2/entity', basic(creds()), {
        type: 'person',
        action: 'identify',
        identifiers: { id: 'rene\u0301' },
        identity_signature: sign('ren\u00e9'),
        attributes: { x: 1 },
      });
      expect(id.status).toBe(403);
    } finally {
      expect((await mode('off')).status).toBe(200);
    }
  });

  it('the upgrade merges people a previous release stored twice under one email (migration 086)', async () => {
    const email = 'zo\u00eb@upgrade.example';
    const decomposed = 'zoe\u0308@upgrade.example';
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/${enc(email)}`, basic(creds()), { plan: 'gold' }))
        .status,
    ).toBe(200);
    // Elsewhere: a person who only has the email in NFD, as releases before NFC wrote them.
    expect(
      (await call(s.server, 'PUT', `/api/v1/customers/other-${engine}`, basic(creds()), { city: 'Oslo' }))
        .status,
    ).toBe(200);
    await s.server.kill('SIGKILL');
    await rewrite(s, async (run) => {
      await run(`update people set email = $1, email_norm = $2 where id = $3`, [
        decomposed,
        decomposed.toLowerCase(),
        `other-${engine}`,
      ]);
      await run(`delete from roster_migrations where version = 86`, []);
    });
    const server = await s.server.restart();
    s = { ...s, server, url: server.url };
    await expect
      .poll(async () => (await s.person(email, 'email'))?.attributes, { timeout: 30_000 })
      .toMatchObject({
        plan: 'gold',
        city: 'Oslo',
      });
    expect((await lookup(email))[0]!.email).toBe(email);
    // The kept person had no id: it took the merged person's, as merge_customers fills gaps.
    expect((await s.person(`other-${engine}`))?.attributes).toMatchObject({ plan: 'gold', city: 'Oslo' });
  }, 120_000);
});

/** Runs SQL on a stopped server's store (`$1…` placeholders, rewritten to `?` for SQLite). */
async function rewrite(
  s: PipelinesServer,
  fn: (run: (sql: string, params: unknown[]) => Promise<void>) => Promise<void>,
): Promise<void> {
  if (s.server.databaseUrl) {
    const client = new pg.Client({ connectionString: s.server.databaseUrl });
    await client.connect();
    try {
      await fn(async (sql, params) => {
        await client.query(sql, params);
      });
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(path.join(s.server.dataDir, 'roster.db'));
  try {
    await fn(async (sql, params) => {
      db.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
    });
  } finally {
    db.close();
  }
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../fakes/push-credentials.js';
import { startPipelinesServer, type PipelinesServer } from './helpers.js';

/** `--tls-cert/--tls-key` (ROSTER_TLS_CERT/KEY): HTTPS directly, as the mobile SDKs require. */
describe('Pipelines over HTTPS (SQLite)', () => {
  let s: PipelinesServer;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-tls-'));
    const { key, cert } = selfSignedCert();
    ca = cert;
    writeFileSync(path.join(dir, 'key.pem'), key);
    writeFileSync(path.join(dir, 'cert.pem'), cert);
    s = await startPipelinesServer('sqlite', {
      env: { ROSTER_TLS_CERT: path.join(dir, 'cert.pem'), ROSTER_TLS_KEY: path.join(dir, 'key.pem') },
    });
  });
  afterAll(async () => {
    await s?.server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (method: string, url: string, body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(url, { method, ca, headers: { 'content-type': 'text/plain' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it("serves the settings and an Android-shaped batch over TLS with the test's certificate", async () => {
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const settings = await request('GET', `${s.url}/v1/projects/${s.writeKey}/settings`);
    expect(settings.status).toBe(200);
    const destination = (JSON.parse(settings.body) as { integrations: Record<string, { protocol: string }> })
      .integrations['Customer.io Data Pipelines'];
    expect(destination?.protocol).toBe('https');
    const batch = JSON.stringify({
      batch: [{ type: 'identify', userId: 'tls-1', traits: { secure: true }, messageId: 'tls-m1' }],
      writeKey: s.writeKey,
    });
    expect((await request('POST', `${s.url}/v1/b`, batch)).status).toBe(200);
    const read = await request('GET', `${s.url}/healthz`);
    expect(read.status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { basic, bearer, call } from './helpers.js';

/**
 * Security review 2026-12, info items: emails no longer appear in info-level request logs, and
 * `roster serve` says at start-up when `/metrics` is open.
 */
describe('what roster serve logs', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ env: { ROSTER_LOG_LEVEL: 'info' } });
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  it('keeps email addresses out of request URLs in the log', async () => {
    const c = server.credentials;
    expect(
      (await call(server, 'PUT', '/api/v1/customers/ada%40secret-domain.example', basic(c), {})).status,
    ).toBe(200);
    expect(
      (await call(server, 'GET', '/v1/customers?email=bob@secret-domain.example', bearer(c))).status,
    ).toBe(200);
    await call(server, 'PUT', '/api/v1/customers/u1', basic(c), { email: 'carol@secret-domain.example' });
    // The log line of the last request is written by the time its answer arrived; wait for it anyway.
    await expect.poll(() => server.output().includes('/api/v1/customers/u1')).toBe(true);
    expect(server.output()).toContain('/api/v1/customers/[email]');
    expect(server.output()).toContain('/v1/customers?email=[email]');
    expect(server.output()).not.toContain('secret-domain');
  });

  it('warns at start-up that /metrics is open without ROSTER_METRICS_TOKEN', () => {
    expect(server.output()).toMatch(/GET \/metrics is open .*ROSTER_METRICS_TOKEN/);
  });
});

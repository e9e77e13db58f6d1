import { describe, expect, it } from 'vitest';
import { backoff } from '../src/core/backoff.js';
import { base64Utf8 } from '../src/core/base64.js';
import { batchBody, cutBatch } from '../src/core/batch.js';
import { classify } from '../src/core/classify.js';
import { identifiersFor } from '../src/core/identifiers.js';
import { eventOp } from '../src/core/ops.js';
import { parseRetryAfter } from '../src/core/retry-after.js';
import { makeTask } from '../src/core/task.js';
import { createUlid } from '../src/core/ulid.js';
import { utf8Length } from '../src/core/json.js';
import { resolveConfig } from '../src/core/config.js';

describe('classify', () => {
  const now = Date.UTC(2025, 0, 1);
  it.each([
    [200, 'ok'],
    [207, 'ok'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [413, 'split'],
    [401, 'pause'],
    [403, 'drop'], // a refused identity signature (signed identify): retrying repeats it
    [400, 'drop'],
    [404, 'drop'],
    [422, 'drop'],
  ])('%i → %s', (status, kind) => {
    expect(classify({ status }, now).kind).toBe(kind);
  });
  it('retries network errors and reads Retry-After', () => {
    expect(classify({ error: new Error('x') }, now)).toEqual({ kind: 'retry' });
    expect(classify({ status: 429, retryAfter: '3' }, now)).toEqual({ kind: 'retry', retryAfterMs: 3000 });
  });
});

describe('backoff and Retry-After', () => {
  it('is exponential with full jitter, capped, and honours Retry-After', () => {
    expect([1, 2, 3, 4].map((a) => backoff(a, undefined, () => 0.999999))).toEqual([999, 1999, 3999, 7999]);
    expect(backoff(30, undefined, () => 0.5)).toBe(150_000);
    expect(backoff(1, undefined, () => 0)).toBe(0);
    expect(backoff(5, 12_000, () => 0.5)).toBe(12_000);
    expect(backoff(5, 10 * 3600_000, () => 0.5)).toBe(3600_000);
  });
  it('parses seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:27:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('ULIDs', () => {
  it('are 26 Crockford chars, time-prefixed and strictly increasing within a millisecond', () => {
    let n = 0;
    const next = createUlid(
      () => 1_700_000_000_000,
      (b) => b.fill(255 - n++),
    );
    const ids = Array.from({ length: 1000 }, next);
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]!.slice(0, 10)).toBe('01HF7YAT00');
  });
});

describe('wire helpers', () => {
  it('picks the identifier key from the shape', () => {
    expect(identifiersFor('a@b.co')).toEqual({ email: 'a@b.co' });
    expect(identifiersFor('42')).toEqual({ id: '42' });
    expect(identifiersFor('cio_abc')).toEqual({ cio_id: 'abc' });
    expect(identifiersFor('not an@email')).toEqual({ id: 'not an@email' });
  });
  it('encodes Basic credentials as UTF-8 base64 and counts UTF-8 bytes', () => {
    expect(base64Utf8('site:key')).toBe(btoa('site:key'));
    expect(base64Utf8('sïte:kéy✓')).toBe(Buffer.from('sïte:kéy✓').toString('base64'));
    expect(utf8Length('aé✓😀')).toBe(Buffer.byteLength('aé✓😀'));
  });
  it('cuts batches by items, bytes and barriers, and the body is {"batch":[ops]}', () => {
    const t = (id: string, barrier = false) =>
      makeTask(id, 'event', eventOp({ id: 'u' }, 'event', id, id, {}, 0), 0, barrier);
    const q = [t('a'), t('b', true), t('c'), t('d'), t('e')];
    expect(cutBatch(q, { maxItems: 10, maxBytes: 1e6 }).map((x) => x.id)).toEqual(['a', 'b']);
    expect(cutBatch(q.slice(2), { maxItems: 2, maxBytes: 1e6 }).map((x) => x.id)).toEqual(['c', 'd']);
    const body = batchBody(q.slice(2, 4));
    expect(utf8Length(body)).toBeLessThanOrEqual(12 + q[2]!.bytes + q[3]!.bytes + 1);
    expect(cutBatch(q.slice(2), { maxItems: 10, maxBytes: utf8Length(body) }).length).toBe(2);
    expect(cutBatch(q.slice(2), { maxItems: 10, maxBytes: utf8Length(body) - 1 }).length).toBe(1);
    expect(JSON.parse(body)).toEqual({ batch: [q[2]!.op, q[3]!.op] });
  });
  it('resolves hosts from region or trackingApiUrl', () => {
    expect(resolveConfig({ siteId: 's', apiKey: 'k' }).batchUrl).toBe(
      'https://track-sdk.customer.io/api/v2/batch',
    );
    expect(resolveConfig({ siteId: 's', apiKey: 'k', region: 'eu' }).batchUrl).toBe(
      'https://track-sdk-eu.customer.io/api/v2/batch',
    );
    expect(
      resolveConfig({ siteId: 's', apiKey: 'k', trackingApiUrl: 'http://localhost:8080/' }).batchUrl,
    ).toBe('http://localhost:8080/api/v2/batch');
    expect(resolveConfig({ siteId: 's', apiKey: 'k', trackingApiUrl: 'http://h/api/v1' }).batchUrl).toBe(
      'http://h/api/v2/batch',
    );
    expect(() => resolveConfig({ siteId: '', apiKey: 'k' })).toThrow(/siteId/);
  });
});

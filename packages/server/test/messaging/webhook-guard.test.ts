import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/messaging/webhooks/address-guard.js';
import {
  parseRetryAfter,
  refuseWebhookUrl,
  sanitiseExcerpt,
} from '../../src/messaging/webhooks/webhook-http.js';
import { signWebhook } from '../../src/messaging/webhooks/webhook-signature.js';
import { createHmac } from 'node:crypto';

describe('webhook address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );

  it('refuses private literals, localhost, other schemes and credentials in URLs unless allowed', () => {
    expect(refuseWebhookUrl('http://127.0.0.1:9/x', false)).toContain('ROSTER_WEBHOOK_ALLOW_PRIVATE');
    expect(refuseWebhookUrl('http://[::1]/x', false)).toContain('private');
    expect(refuseWebhookUrl('http://localhost/x', false)).toContain('private');
    expect(refuseWebhookUrl('http://127.0.0.1:9/x', true)).toBeUndefined();
    expect(refuseWebhookUrl('https://hooks.example.com/x', false)).toBeUndefined();
    expect(refuseWebhookUrl('file:///etc/passwd', true)).toContain('http');
    expect(refuseWebhookUrl('https://u:p@example.com/', true)).toContain('credentials');
    expect(refuseWebhookUrl('not a url', true)).toContain('not a URL');
  });
});

describe('webhook signing and answers', () => {
  it('signs timestamp.body with each secret', () => {
    const body = '{"a":1}';
    const sig = signWebhook(['s1', 's2'], 1700000000, body);
    const h = (s: string) => createHmac('sha256', s).update(`1700000000.${body}`).digest('hex');
    expect(sig).toBe(`v1=${h('s1')} v1=${h('s2')}`);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBeLessThanOrEqual(5_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('keeps a bounded excerpt without control characters', () => {
    expect(sanitiseExcerpt(Buffer.from('ok\u0007\u001b[31m red'))).toBe('ok[31m red');
    expect(sanitiseExcerpt(Buffer.alloc(0))).toBeNull();
    expect(sanitiseExcerpt(Buffer.from('x'.repeat(2000)))!.length).toBe(513);
  });
});

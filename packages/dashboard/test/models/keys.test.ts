import { describe, expect, it } from 'vitest';
import { confirmation, keyNames, NO_KEYS, overlapWords, rotationBody } from '../../src/models/keys';

describe('key rotation', () => {
  it('asks only for the keys chosen, with an overlap only for write keys', () => {
    expect(rotationBody({ ...NO_KEYS, app: true })).toEqual({ app: true });
    expect(rotationBody({ ...NO_KEYS, track: true, overlapSeconds: 86_400 })).toEqual({ track: true });
    expect(rotationBody({ ...NO_KEYS, write: true, overlapSeconds: 0 })).toEqual({ write: true });
    expect(rotationBody({ ...NO_KEYS, write: true, serverWrite: true, overlapSeconds: 604_800 })).toEqual({
      write: true,
      server_write: true,
      overlap_seconds: 604_800,
    });
  });

  it('names the keys and when the old ones stop', () => {
    expect(keyNames({ ...NO_KEYS, track: true, write: true })).toBe(
      'tracking API key and Pipelines write key',
    );
    expect(keyNames({ ...NO_KEYS, track: true, app: true, write: true })).toBe(
      'tracking API key, App API key and Pipelines write key',
    );
    expect(confirmation({ ...NO_KEYS, app: true })).toBe(
      'Rotate the App API key? The old App key stops working at once.',
    );
    expect(confirmation({ ...NO_KEYS, write: true, overlapSeconds: 1_209_600 })).toBe(
      'Rotate the Pipelines write key? The old write key keeps working for 14 days.',
    );
    expect(confirmation({ ...NO_KEYS, track: true, write: true, serverWrite: true })).toBe(
      'Rotate the tracking API key, Pipelines write key and Pipelines server write key? The old tracking key stops working at once. The old write keys stop working at once.',
    );
  });

  it('writes overlaps in days, hours or seconds', () => {
    expect(overlapWords(86_400)).toBe('1 day');
    expect(overlapWords(30 * 86_400)).toBe('30 days');
    expect(overlapWords(7200)).toBe('2 hours');
    expect(overlapWords(90)).toBe('90 seconds');
  });
});

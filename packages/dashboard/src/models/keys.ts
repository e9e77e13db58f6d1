import type { RotateKeysBody } from '@roster/protocol';

/** The Settings page's key rotation: which keys, and how long replaced write keys keep working. */

export interface KeyChoice {
  track: boolean;
  app: boolean;
  /** The Pipelines public write key (`wk_…`). */
  write: boolean;
  /** The Pipelines server write key (`swk_…`). */
  serverWrite: boolean;
  /** Seconds the replaced write keys stay accepted (0: they stop at once). */
  overlapSeconds: number;
}

export const NO_KEYS: KeyChoice = {
  track: false,
  app: false,
  write: false,
  serverWrite: false,
  overlapSeconds: 0,
};

/** The overlaps offered: at once (a key leaked), or long enough for an app release to roll out. */
export const OVERLAPS: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 0, label: 'Stop at once (the key leaked)' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
  { seconds: 14 * 86_400, label: '14 days' },
  { seconds: 30 * 86_400, label: '30 days' },
];

export const anyKey = (c: KeyChoice): boolean => c.track || c.app || c.write || c.serverWrite;
export const anyWriteKey = (c: KeyChoice): boolean => c.write || c.serverWrite;

/** The body of `POST /v1/workspace/rotate-keys` (the overlap only with a write key: the server refuses it otherwise). */
export function rotationBody(c: KeyChoice): RotateKeysBody {
  return {
    ...(c.track ? { track: true } : {}),
    ...(c.app ? { app: true } : {}),
    ...(c.write ? { write: true } : {}),
    ...(c.serverWrite ? { server_write: true } : {}),
    ...(anyWriteKey(c) && c.overlapSeconds > 0 ? { overlap_seconds: c.overlapSeconds } : {}),
  };
}

/** The keys chosen, in words: "tracking API key and Pipelines write key". */
export function keyNames(c: KeyChoice): string {
  const names = [
    c.track && 'tracking API key',
    c.app && 'App API key',
    c.write && 'Pipelines write key',
    c.serverWrite && 'Pipelines server write key',
  ].filter((n): n is string => Boolean(n));
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/** What the confirmation asks: which keys, and when the old ones stop. */
export function confirmation(c: KeyChoice): string {
  const now = [c.track && 'tracking', c.app && 'App'].filter(Boolean);
  const parts = [`Rotate the ${keyNames(c)}?`];
  if (now.length)
    parts.push(`The old ${now.join(' and ')} ${now.length > 1 ? 'keys stop' : 'key stops'} working at once.`);
  if (anyWriteKey(c))
    parts.push(
      c.overlapSeconds > 0
        ? `The old write ${c.write && c.serverWrite ? 'keys keep' : 'key keeps'} working for ${overlapWords(c.overlapSeconds)}.`
        : `The old write ${c.write && c.serverWrite ? 'keys stop' : 'key stops'} working at once.`,
    );
  return parts.join(' ');
}

/** 86400 → "1 day", 1209600 → "14 days", 3600 → "1 hour". */
export function overlapWords(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} ${seconds === 86_400 ? 'day' : 'days'}`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} ${seconds === 3_600 ? 'hour' : 'hours'}`;
  return `${seconds} seconds`;
}

import type { AppIdentifiers } from '@roster/protocol';

/** Pure formatting: numbers, times, tokens, platforms, people. */

export const num = (n: number): string => n.toLocaleString();

/** "3 people" / "1 person" style counts. */
export function plural(n: number, one: string, many: string): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "5 minutes ago", "in 2 days", "just now". */
export function relative(unix: number, now = Date.now() / 1000, locale?: string): string {
  const d = unix - now;
  const abs = Math.abs(d);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, secs] of UNITS) if (abs >= secs) return rtf.format(Math.round(d / secs), unit);
  return 'just now';
}

export function fullTime(unix: number, locale?: string): string {
  return new Date(unix * 1000).toLocaleString(locale);
}

/** Attribute values are strings; objects and arrays arrive as JSON text. */
export function parseNested(value: string): unknown {
  const t = value.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const PLATFORMS: Record<string, string> = {
  ios: 'iOS',
  android: 'Android',
  web: 'Web',
  node: 'Node.js',
  macos: 'macOS',
  ipados: 'iPadOS',
  tvos: 'tvOS',
  watchos: 'watchOS',
  windows: 'Windows',
  linux: 'Linux',
};

/** A platform as people write it: `ios` → iOS, `android` → Android; others capitalised. */
export function platformName(platform: string): string {
  const known = PLATFORMS[platform.toLowerCase()];
  if (known) return known;
  return platform ? platform[0]!.toUpperCase() + platform.slice(1) : platform;
}

/**
 * A long token shortened to its start and end (`fcm-to…r-0002`), which is how people compare
 * tokens; the full value goes in a tooltip. Short values stay whole.
 */
export function shortToken(token: string, keep = 16): string {
  const chars = Array.from(token);
  if (chars.length <= keep + 2) return token;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/** How a person is named in lists: email, else id, else cio_id. */
export function personLabel(
  ids: { id: string | null; email: string | null; cio_id: string | null } | AppIdentifiers | null | undefined,
): string {
  if (!ids) return '(deleted person)';
  return ids.email ?? ids.id ?? ids.cio_id ?? '(no one)';
}

import { num } from './format';

/**
 * The arithmetic of the dashboard's small charts: y-axis ticks that are whole numbers, x-axis ticks
 * with dates (a 48-hour chart crosses midnight twice), and a sentence that says what the chart
 * shows (its accessible name, and a caption that stays readable when there are few events).
 */

export type Interval = 'hour' | 'day';

export interface Point {
  timestamp: number;
  count: number;
}

/** Locale and time zone for labels; tests pin them, the browser's are the default. */
export interface Fmt {
  locale?: string;
  timeZone?: string;
}

/** One x-axis label: where (a fraction of the width, 0–1) and one or two lines of text. */
export interface AxisTick {
  at: number;
  lines: string[];
}

/** The top of the y axis: the largest count rounded up to 1, 2, 2.5 or 5 × 10ⁿ (at least 1). */
export function niceMax(n: number): number {
  if (n <= 5) return Math.max(1, Math.ceil(n));
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return n;
}

/** Whole-number y ticks from 0 to `max` (a `niceMax`): at most 6, evenly spaced. */
export function yTicks(max: number): number[] {
  for (const parts of [5, 4, 3, 2, 1]) {
    const step = max / parts;
    if (Number.isInteger(step) && parts <= max) return Array.from({ length: parts + 1 }, (_, i) => i * step);
  }
  return [0, max];
}

interface DateParts {
  dayKey: string;
  hour: number;
}

function partsOf(unix: number, fmt: Fmt): DateParts {
  const f = new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
    timeZone: fmt.timeZone,
  });
  const p = Object.fromEntries(f.formatToParts(new Date(unix * 1000)).map((x) => [x.type, x.value]));
  return { dayKey: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) % 24 };
}

/** "Dec 7" */
export function dayLabel(unix: number, fmt: Fmt = {}): string {
  return new Date(unix * 1000).toLocaleDateString(fmt.locale, {
    month: 'short',
    day: 'numeric',
    timeZone: fmt.timeZone,
  });
}

/** "3 PM" / "15:00", as the locale writes hours. */
export function hourLabel(unix: number, fmt: Fmt = {}): string {
  return new Date(unix * 1000).toLocaleTimeString(fmt.locale, { hour: 'numeric', timeZone: fmt.timeZone });
}

/** "Dec 7, 3 PM" (hourly) or "Dec 7" (daily). */
export function bucketLabel(unix: number, interval: Interval, fmt: Fmt = {}): string {
  return interval === 'hour' ? `${dayLabel(unix, fmt)}, ${hourLabel(unix, fmt)}` : dayLabel(unix, fmt);
}

/**
 * Labels for a bar chart's buckets: about six, on round hours (every 1, 2, 3, 4, 6, 12 or 24) or
 * days (every 1, 2, 7 or 14), each with the date under it where the day changes, so a 48-hour
 * chart never shows the same "6 AM" twice without saying which day.
 */
export function bucketTicks(
  timestamps: readonly number[],
  interval: Interval,
  fmt: Fmt = {},
  most = 8,
): AxisTick[] {
  const n = timestamps.length;
  if (n === 0) return [];
  const steps = interval === 'hour' ? [1, 2, 3, 4, 6, 12, 24] : [1, 2, 3, 7, 14, 30];
  const step = steps.find((s) => n / s <= most) ?? steps[steps.length - 1]!;
  const ticks: AxisTick[] = [];
  let lastDay = '';
  timestamps.forEach((t, i) => {
    const p = partsOf(t, fmt);
    const onStep = interval === 'hour' ? p.hour % step === 0 : i % step === (n - 1) % step;
    if (!onStep) return;
    const at = (i + 0.5) / n;
    if (interval === 'day') ticks.push({ at, lines: [dayLabel(t, fmt)] });
    else {
      const lines = [hourLabel(t, fmt)];
      if (p.dayKey !== lastDay) lines.push(dayLabel(t, fmt));
      ticks.push({ at, lines });
    }
    lastDay = p.dayKey;
  });
  return ticks;
}

/** Three labels under a line chart spanning `from`–`to`: dates, with hours when it spans under 3 days. */
export function spanTicks(from: number, to: number, fmt: Fmt = {}): AxisTick[] {
  const span = Math.max(1, to - from);
  const withHours = span < 3 * 86_400;
  const ticks = [0, 0.5, 1].map((at) => {
    const t = from + span * at;
    return { at, lines: withHours ? [hourLabel(t, fmt), dayLabel(t, fmt)] : [dayLabel(t, fmt)] };
  });
  // A span within one hour would say the same thing three times: say it once, at the end (now).
  const same = ticks.every((t) => t.lines.join() === ticks[0]!.lines.join());
  return same ? [{ at: 1, lines: ticks[2]!.lines }] : ticks;
}

/** Few non-zero buckets: bars get their value written above them so a lone event reads as data. */
export function isSparse(points: readonly Point[]): boolean {
  return points.filter((p) => p.count > 0).length <= 8;
}

/** What a bar chart shows, in one sentence (its accessible name and its caption). */
export function chartSummary(
  points: readonly Point[],
  noun: string,
  interval: Interval,
  fmt: Fmt = {},
): string {
  if (points.length === 0) return `No ${noun}.`;
  const total = points.reduce((s, p) => s + p.count, 0);
  const first = bucketLabel(points[0]!.timestamp, interval, fmt);
  const last = bucketLabel(points[points.length - 1]!.timestamp, interval, fmt);
  if (total === 0) return `No ${noun} from ${first} to ${last}.`;
  const peak = points.reduce((a, p) => (p.count > a.count ? p : a), points[0]!);
  const busiest = `${interval === 'hour' ? 'busiest hour' : 'busiest day'} ${bucketLabel(peak.timestamp, interval, fmt)} (${num(peak.count)})`;
  return `${num(total)} ${noun} from ${first} to ${last}; ${busiest}.`;
}

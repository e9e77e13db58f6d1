import { describe, expect, it } from 'vitest';
import { bucketTicks, chartSummary, isSparse, niceMax, spanTicks, yTicks } from '../../src/models/chart';

const fmt = { locale: 'en-US', timeZone: 'UTC' };
/** 2026-12-06T00:00:00Z */
const DEC6 = 1_796_515_200;

describe('chart model', () => {
  it('puts whole numbers on the y axis, also for a handful of events', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(3);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(26)).toBe(50);
    expect(yTicks(1)).toEqual([0, 1]);
    expect(yTicks(3)).toEqual([0, 1, 2, 3]);
    expect(yTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(yTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    for (const n of [1, 2, 3, 4, 5, 7, 12, 99, 250, 1234, 98_765])
      for (const t of yTicks(niceMax(n))) expect(Number.isInteger(t), `${n}: ${t}`).toBe(true);
  });

  it('labels 48 hourly buckets with the date wherever the day changes', () => {
    const hours = Array.from({ length: 48 }, (_, i) => DEC6 + 3600 * (i + 5)); // Dec 6 05:00 → Dec 8 04:00
    const ticks = bucketTicks(hours, 'hour', fmt);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.map((t) => t.lines.join(' / '))).toEqual([
      '6 AM / Dec 6',
      '12 PM',
      '6 PM',
      '12 AM / Dec 7',
      '6 AM',
      '12 PM',
      '6 PM',
      '12 AM / Dec 8',
    ]);
    // The same hour never appears twice without a date telling them apart.
    const seen = new Set<string>();
    let day = '';
    for (const t of ticks) {
      day = t.lines[1] ?? day;
      const key = `${day} ${t.lines[0]}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    for (const t of ticks) expect(t.at).toBeGreaterThan(0);
  });

  it('labels daily buckets by date, ending on the last day', () => {
    const days = Array.from({ length: 30 }, (_, i) => DEC6 - 86_400 * (29 - i));
    const ticks = bucketTicks(days, 'day', fmt);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks[ticks.length - 1]!.lines).toEqual(['Dec 6']);
    expect(ticks[0]!.lines[0]).toMatch(/^Nov \d+$/);
  });

  it('labels a line chart with hours and dates under three days, dates beyond', () => {
    expect(spanTicks(DEC6, DEC6 + 86_400, fmt).map((t) => t.lines)).toEqual([
      ['12 AM', 'Dec 6'],
      ['12 PM', 'Dec 6'],
      ['12 AM', 'Dec 7'],
    ]);
    expect(spanTicks(DEC6, DEC6 + 10 * 86_400, fmt).map((t) => t.lines)).toEqual([
      ['Dec 6'],
      ['Dec 11'],
      ['Dec 16'],
    ]);
    // A segment created a moment ago: one label, at the end (now), not the same one three times.
    expect(spanTicks(DEC6, DEC6 + 120, fmt)).toEqual([{ at: 1, lines: ['12 AM', 'Dec 6'] }]);
  });

  it('says what a chart shows, and when it is sparse', () => {
    const points = [
      { timestamp: DEC6, count: 0 },
      { timestamp: DEC6 + 3600, count: 1 },
      { timestamp: DEC6 + 7200, count: 0 },
    ];
    expect(chartSummary(points, 'events', 'hour', fmt)).toBe(
      '1 events from Dec 6, 12 AM to Dec 6, 2 AM; busiest hour Dec 6, 1 AM (1).',
    );
    expect(chartSummary([{ timestamp: DEC6, count: 0 }], 'events', 'day', fmt)).toBe(
      'No events from Dec 6 to Dec 6.',
    );
    expect(isSparse(points)).toBe(true);
    expect(isSparse(Array.from({ length: 20 }, (_, i) => ({ timestamp: i, count: 3 })))).toBe(false);
  });
});

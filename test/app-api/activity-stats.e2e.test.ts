import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

type Stats = {
  interval: string;
  type: string;
  buckets: Array<{ timestamp: number; count: number }>;
  top_names: Array<{ name: string; count: number }>;
};

/** `GET /v1/activities/stats`: the dashboard's activity chart and top event names. */
describe.each(engines())('activity stats (%s)', (engine) => {
  let server: ServerProcess;
  let track: TrackClient;
  const get = async (query: string) => {
    const res = await fetch(`${server.appUrl}/activities/stats${query}`, {
      headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
    });
    return { status: res.status, body: (await res.json()) as Stats & { errors?: Array<{ detail: string }> } };
  };

  beforeAll(async () => {
    server = await startServer({ engine });
    track = new TrackClient(server.credentials.siteId, server.credentials.apiKey, { url: server.trackUrl });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('counts events per hour and per day, including backdated ones, and ranks names', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hourAgo = now - 3600;
    for (let i = 0; i < 3; i++) await track.track('p1', { name: 'purchase', data: { i } });
    await track.track('p1', { name: 'app_opened' });
    await track.track('p2', { name: 'purchase', timestamp: hourAgo });
    // Other activity types are not counted as events.
    await track.identify('p3', { plan: 'pro' });

    const hourly = await get('?interval=hour&buckets=3');
    expect(hourly.status).toBe(200);
    expect(hourly.body.buckets).toHaveLength(3);
    const last = hourly.body.buckets.at(-1)!;
    const previous = hourly.body.buckets.at(-2)!;
    expect(last.timestamp % 3600).toBe(0);
    expect(last.timestamp - previous.timestamp).toBe(3600);
    expect(hourly.body.buckets.reduce((n, b) => n + b.count, 0)).toBe(5);
    expect(previous.count + last.count).toBeGreaterThanOrEqual(5 - hourly.body.buckets[0]!.count);
    expect(hourly.body.top_names).toEqual([
      { name: 'purchase', count: 4 },
      { name: 'app_opened', count: 1 },
    ]);

    const daily = await get('?interval=day');
    expect(daily.body.buckets).toHaveLength(30);
    expect(daily.body.buckets.reduce((n, b) => n + b.count, 0)).toBe(5);
  });

  it('answers 400 naming the bad parameter', async () => {
    const bad = await get('?interval=week');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.detail).toMatch(/interval must be hour or day/);
    const many = await get('?buckets=100000');
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]?.detail).toMatch(/buckets/);
  });
});

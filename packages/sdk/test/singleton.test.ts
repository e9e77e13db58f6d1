import { describe, expect, it } from 'vitest';
import { createSingleton } from '../src/core/singleton.js';
import { createTestRoster, FakeClock, FakeTransport, MemoryStorage } from '../src/testing/index.js';

describe('the Roster singleton', () => {
  it('keeps calls made before initialize and replays them in order with their call time', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const Roster = createSingleton(
      (config) => createTestRoster(config, { transport, clock, storage: new MemoryStorage() }).roster,
    );
    const errors: string[] = [];
    Roster.on('error', (e) => errors.push(e.code));
    const before = Math.floor(Date.now() / 1000);
    await Roster.track('early');
    await Roster.identify('u1', { first_name: 'Ada' });
    await Roster.identify('   ');
    expect(Roster.isInitialized).toBe(false);
    expect((await Roster.flush()).left).toBe(3);
    const after = Math.floor(Date.now() / 1000);
    Roster.initialize({ siteId: 'site', apiKey: 'key' });
    await Roster.flush();
    expect(transport.delivered.map((o) => o.action)).toEqual(['event', 'identify']);
    expect(transport.delivered[1]).toMatchObject({
      attributes: { first_name: 'Ada', anonymous_id: expect.any(String) },
    });
    // The replayed call carries the time it was made, before initialize (not the replay time).
    expect(transport.delivered[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(transport.delivered[0]!.timestamp).toBeLessThanOrEqual(after);
    expect(errors).toEqual(['blank_identifier']);
    expect((await Roster.getState()).identifier).toBe('u1');
  });
});

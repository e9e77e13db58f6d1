import { RosterClient, type PlatformDeps } from '../core/client.js';
import type { RosterConfig } from '../core/config.js';
import type { RosterEvents, RosterEventName } from '../core/events.js';
import { FakeClock } from './fake-clock.js';
import { FakeTransport } from './fake-transport.js';
import { MemoryStorage } from './memory-storage.js';

export interface TestRoster {
  roster: RosterClient;
  transport: FakeTransport;
  storage: MemoryStorage;
  clock: FakeClock;
  /** Every event emitted, in order. */
  events: Array<{ [K in RosterEventName]: { name: K; payload: RosterEvents[K] } }[RosterEventName]>;
}

/**
 * A client over a fake transport, memory storage and a fake clock. Pass `storage`/`clock` from an
 * earlier TestRoster to simulate a restart.
 * @example
 * const { roster, transport } = createTestRoster();
 * await roster.identify('u1');
 * await roster.flush();
 * transport.ops; // [{ type: 'person', action: 'identify', … }]
 */
export function createTestRoster(
  config: Partial<RosterConfig> = {},
  deps: Partial<Omit<PlatformDeps, 'transport' | 'storage' | 'clock'>> & {
    storage?: MemoryStorage;
    clock?: FakeClock;
    transport?: FakeTransport;
  } = {},
): TestRoster {
  const transport = deps.transport ?? new FakeTransport();
  const storage = deps.storage ?? new MemoryStorage();
  const clock = deps.clock ?? new FakeClock();
  const roster = new RosterClient(
    { siteId: 'site', apiKey: 'key', trackingApiUrl: 'http://roster.test', logLevel: 'none', ...config },
    {
      platform: 'test',
      setUserAgent: true,
      random: () => 0.5,
      deviceInfo: {
        platform: 'test',
        deviceOs: '1.0',
        deviceModel: 'Fake',
        appVersion: '9.9',
        locale: 'en-US',
        timezone: 'UTC',
        pushEnabled: true,
      },
      ...deps,
      transport: transport.fetch,
      storage,
      clock,
      timers: clock,
    },
  );
  const events: TestRoster['events'] = [];
  for (const name of ['queued', 'sent', 'dropped', 'error', 'paused'] as const) {
    roster.on(name, (payload) => events.push({ name, payload } as TestRoster['events'][number]));
  }
  return { roster, transport, storage, clock, events };
}

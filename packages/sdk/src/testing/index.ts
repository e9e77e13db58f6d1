/**
 * Test doubles for apps and for the SDK's own tests: fakes, not mocks (assert on decoded requests
 * and stored state). `createTestRoster` wires a client to all of them.
 */
export { FakeClock, settle } from './fake-clock.js';
export { FakeTransport, type RecordedRequest, type Reply } from './fake-transport.js';
export { MemoryStorage } from './memory-storage.js';
export { createTestRoster, type TestRoster } from './test-roster.js';

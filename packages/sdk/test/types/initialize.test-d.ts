/**
 * Type tests (Vitest `--typecheck`, like analytics-next's typedef tests): each platform's
 * `Roster.initialize` takes its own options, and wrong calls do not compile.
 */
import AsyncStorage from '@react-native-async-storage/async-storage';
import { describe, expectTypeOf, it } from 'vitest';
import { Roster as BrowserRoster, type BrowserRosterConfig } from '../../src/browser/index.js';
import { Roster as NodeRoster, createRoster, type NodeRosterConfig } from '../../src/node/index.js';
import {
  CustomerIO,
  CustomerIOEnv,
  CustomerioConfig,
  Roster as RnRoster,
  expoPush,
  firebasePush,
  fromDeviceInfo,
  fromExpo,
  type ReactNativeRosterConfig,
} from '../../src/react-native/index.js';
import type { IdentifyOptions } from '../../src/core/index.js';

describe('Roster.initialize per platform', () => {
  it('Node takes storageDir and its transport/clock options', () => {
    expectTypeOf(NodeRoster.initialize).parameter(0).toEqualTypeOf<NodeRosterConfig>();
    NodeRoster.initialize({
      siteId: 's',
      apiKey: 'k',
      trackingApiUrl: 'http://localhost:8080',
      storageDir: './.roster',
    });
    // @ts-expect-error appState is React Native's
    NodeRoster.initialize({ siteId: 's', apiKey: 'k', appState: null });
    // @ts-expect-error siteId is required
    NodeRoster.initialize({ apiKey: 'k' });
  });

  it('the browser takes its own options and not storageDir', () => {
    expectTypeOf(BrowserRoster.initialize).parameter(0).toEqualTypeOf<BrowserRosterConfig>();
    BrowserRoster.initialize({ siteId: 's', apiKey: 'k', region: 'eu' });
    // @ts-expect-error storageDir is Node's
    BrowserRoster.initialize({ siteId: 's', apiKey: 'k', storageDir: './x' });
  });

  it('React Native requires storage and takes appState, adapters and push sources', () => {
    expectTypeOf(RnRoster.initialize).parameter(0).toEqualTypeOf<ReactNativeRosterConfig>();
    expectTypeOf<ReactNativeRosterConfig['storage']>().not.toBeUndefined();
    RnRoster.initialize({ siteId: 's', apiKey: 'k', storage: AsyncStorage });
    RnRoster.initialize({
      siteId: 's',
      apiKey: 'k',
      storage: AsyncStorage,
      appState: null,
      deviceFacts: fromExpo(
        { modelName: 'iPhone', manufacturer: 'Apple' },
        { nativeApplicationVersion: '1.0' },
      ),
    });
    RnRoster.initialize({
      siteId: 's',
      apiKey: 'k',
      storage: AsyncStorage,
      deviceFacts: fromDeviceInfo({
        getModel: () => 'm',
        getManufacturerSync: () => 'x',
        getVersion: () => '1',
      }),
    });
    // @ts-expect-error storage is required on React Native (nothing else keeps the queue)
    RnRoster.initialize({ siteId: 's', apiKey: 'k' });
    // @ts-expect-error storageDir is Node's
    RnRoster.initialize({ siteId: 's', apiKey: 'k', storage: AsyncStorage, storageDir: './x' });
    expectTypeOf(RnRoster.registerPush).parameter(0).toMatchTypeOf<ReturnType<typeof expoPush>>();
    expectTypeOf(firebasePush).returns.toEqualTypeOf<ReturnType<typeof expoPush>>();
  });

  it('createRoster returns a client with the same methods', () => {
    const client = createRoster({ siteId: 's', apiKey: 'k', storageDir: './x' });
    expectTypeOf(client.identify).toEqualTypeOf(NodeRoster.identify);
  });
});

describe('identify', () => {
  it('takes an optional signature', () => {
    expectTypeOf(NodeRoster.identify).parameter(2).toEqualTypeOf<IdentifyOptions | undefined>();
    void NodeRoster.identify('u1', {}, { signature: '1767225600.ab' });
    // @ts-expect-error the signature is a string
    void NodeRoster.identify('u1', {}, { signature: 42 });
    expectTypeOf(NodeRoster.identify).returns.toEqualTypeOf<Promise<void>>();
  });
});

describe('the classic CustomerIO names', () => {
  it('take the classic call shapes', () => {
    const env = new CustomerIOEnv();
    const config = new CustomerioConfig();
    CustomerIO.initialize(env, config);
    CustomerIO.initialize({ siteId: 's', apiKey: 'k' });
    void CustomerIO.identify('person@example.com', { first_name: 'person' });
    void CustomerIO.identify({ userId: 'u1', traits: { first_name: 'Ada' } });
    void CustomerIO.registerDeviceToken(null);
    // @ts-expect-error apiKey is required
    CustomerIO.initialize({ siteId: 's' });
  });
});

/**
 * Push helpers for React Native: register the token from expo-notifications or Firebase messaging in
 * one call, follow token rotation, and report `opened`/`delivered` from a Roster (or Customer.io)
 * push, handing its deep link to the app. The SDK imports neither library: the app passes it.
 */
import type { PushMetric } from '../core/calls.js';

/** Roster's delivery keys (the server puts them in every push; Customer.io uses the same names). */
export const DELIVERY_ID_KEY = 'CIO-Delivery-ID';
export const DELIVERY_TOKEN_KEY = 'CIO-Delivery-Token';

/** What a push carried, read from whatever shape the push library hands over. */
export interface RosterPush {
  deliveryId: string;
  /** The token the push was sent to (`CIO-Delivery-Token`). */
  deviceToken?: string;
  /** The deep link set in the message (`link`, or `CIO.push.link` on iOS). */
  link?: string;
  /** The custom data of the push, delivery keys included. */
  data: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** FCM data values are strings: `CIO` may arrive as JSON text. */
function objectOrJson(v: unknown): Obj | undefined {
  if (isObj(v)) return v;
  if (typeof v !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObj(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The data maps a push library hands over, outermost first: an expo-notifications
 * `NotificationResponse` or `Notification` (content data, the raw APNs payload, the FCM data), a
 * Firebase `RemoteMessage` (`data`), or the data object itself.
 */
function dataMaps(message: unknown): Obj[] {
  if (!isObj(message)) return [];
  const notification =
    isObj(message.notification) && isObj(message.notification.request) ? message.notification : message;
  const request = isObj(notification.request) ? notification.request : undefined;
  if (request) {
    const content = isObj(request.content) ? request.content : {};
    const trigger = isObj(request.trigger) ? request.trigger : {};
    const remote = isObj(trigger.remoteMessage) ? trigger.remoteMessage : {};
    return [trigger.payload, remote.data, content.data].filter(isObj);
  }
  if (isObj(message.data) && !(DELIVERY_ID_KEY in message)) return [message.data];
  return [message];
}

/**
 * Reads Roster's delivery id, token and deep link from a push, in any of the shapes push libraries
 * use; `undefined` when the push did not come from Roster.
 * @example
 * const push = readRosterPush(remoteMessage); // { deliveryId, deviceToken, link, data }
 */
export function readRosterPush(message: unknown): RosterPush | undefined {
  const data: Obj = Object.assign({}, ...dataMaps(message));
  const deliveryId = str(data[DELIVERY_ID_KEY]);
  if (!deliveryId) return undefined;
  const cio = objectOrJson(data.CIO);
  const cioPush = cio && isObj(cio.push) ? cio.push : undefined;
  const link = str(data.link) ?? str(cioPush?.link);
  const deviceToken = str(data[DELIVERY_TOKEN_KEY]);
  return { deliveryId, data, ...(deviceToken ? { deviceToken } : {}), ...(link ? { link } : {}) };
}

/** A push library as the SDK sees it: build one with `expoPush(Notifications)` or `firebasePush(messaging())`. */
export interface PushSource {
  /** The device's current APNs/FCM token, or null when there is none yet. */
  getToken(): Promise<string | null>;
  /** Calls back with each new token after the platform rotates it. */
  onTokenChange(listener: (token: string) => void): () => void;
  /** Calls back with each notification the user opened, including the one that launched the app. */
  onOpened(listener: (message: unknown) => void): () => void;
  /** Calls back with each notification received while the app runs. */
  onReceived(listener: (message: unknown) => void): () => void;
}

type Subscription = { remove(): void };

/**
 * Opened pushes: those tapped while the app runs (`subscribe`) and the one that launched it
 * (`launch`, read once). Returns the unsubscribe function.
 */
function openedWithLaunch(
  listener: (message: unknown) => void,
  subscribe: (listener: (message: unknown) => void) => () => void,
  launch: () => Promise<unknown>,
): () => void {
  let active = true;
  const off = subscribe((m) => listener(m));
  void launch()
    .then((m) => active && m && listener(m))
    .catch(() => undefined);
  return () => {
    active = false;
    off();
  };
}

/** The parts of `expo-notifications` the push helper uses. */
export interface ExpoNotificationsModule {
  getDevicePushTokenAsync(): Promise<{ type: string; data: unknown }>;
  addPushTokenListener(listener: (token: { type: string; data: unknown }) => void): Subscription;
  addNotificationReceivedListener(listener: (notification: unknown) => void): Subscription;
  addNotificationResponseReceivedListener(listener: (response: unknown) => void): Subscription;
  getLastNotificationResponseAsync(): Promise<unknown>;
}

/**
 * expo-notifications as a push source: the native APNs/FCM token (`getDevicePushTokenAsync`, not the
 * Expo push token: Roster talks to APNs and FCM itself), rotation through `addPushTokenListener`,
 * opened from `addNotificationResponseReceivedListener` and the launch response.
 */
export function expoPush(notifications: ExpoNotificationsModule): PushSource {
  const tokenOf = (t: { data: unknown }) => (typeof t.data === 'string' && t.data ? t.data : null);
  return {
    getToken: async () => tokenOf(await notifications.getDevicePushTokenAsync()),
    onTokenChange(listener) {
      const sub = notifications.addPushTokenListener((t) => {
        const token = tokenOf(t);
        if (token) listener(token);
      });
      return () => sub.remove();
    },
    onOpened: (listener) =>
      openedWithLaunch(
        listener,
        (l) => {
          const sub = notifications.addNotificationResponseReceivedListener(l);
          return () => sub.remove();
        },
        () => notifications.getLastNotificationResponseAsync(),
      ),
    onReceived(listener) {
      const sub = notifications.addNotificationReceivedListener((n) => listener(n));
      return () => sub.remove();
    },
  };
}

/** The parts of a `@react-native-firebase/messaging` instance (`messaging()`) the push helper uses. */
export interface FirebaseMessagingModule {
  getToken(): Promise<string>;
  onTokenRefresh(listener: (token: string) => void): () => void;
  onMessage(listener: (message: unknown) => unknown): () => void;
  onNotificationOpenedApp(listener: (message: unknown) => unknown): () => void;
  getInitialNotification(): Promise<unknown>;
}

/** `@react-native-firebase/messaging` as a push source (`messaging()` instance). */
export function firebasePush(messaging: FirebaseMessagingModule): PushSource {
  return {
    getToken: async () => (await messaging.getToken()) || null,
    onTokenChange: (listener) => messaging.onTokenRefresh((t) => t && listener(t)),
    onOpened: (listener) =>
      openedWithLaunch(
        listener,
        (l) => messaging.onNotificationOpenedApp(l),
        () => messaging.getInitialNotification(),
      ),
    onReceived: (listener) => messaging.onMessage((m) => listener(m)),
  };
}

/** What the push helper needs from a client (the `Roster` singleton or a `createRoster` client). */
export interface PushTarget {
  registerDeviceToken(token: string): Promise<void>;
  trackMetric(metric: PushMetric): Promise<void>;
  getState(): Promise<{ token: string | null }>;
}

export interface RegisterPushOptions {
  /** Called with the deep link of an opened push (and the push). Without it links are ignored. */
  onDeepLink?: (url: string, push: RosterPush) => void;
  /** Report `delivered` for pushes received while the app runs (default true). */
  trackDelivered?: boolean;
}

/** Metrics already reported per client in this process, so a push seen twice (launch response + listener) counts once. */
const reportedBy = new WeakMap<PushTarget, Set<string>>();
const REPORTED_LIMIT = 200;

/**
 * Reports a metric for a push if it came from Roster; returns the push. Safe to call from a
 * background message handler, e.g. `messaging().setBackgroundMessageHandler(async (m) => { await
 * trackPush(Roster, 'delivered', m); })`.
 */
export async function trackPush(
  roster: PushTarget,
  event: 'delivered' | 'opened',
  message: unknown,
): Promise<RosterPush | undefined> {
  return (await reportOnce(roster, event, message))?.push;
}

/** Reports the metric unless this client already did for this delivery; says whether it was the first time. */
async function reportOnce(
  roster: PushTarget,
  event: 'delivered' | 'opened',
  message: unknown,
): Promise<{ push: RosterPush; first: boolean } | undefined> {
  const push = readRosterPush(message);
  if (!push) return undefined;
  const key = `${event}:${push.deliveryId}`;
  let reported = reportedBy.get(roster);
  if (!reported) reportedBy.set(roster, (reported = new Set()));
  if (reported.has(key)) return { push, first: false };
  reported.add(key);
  if (reported.size > REPORTED_LIMIT) reported.delete(reported.values().next().value as string);
  const deviceToken = push.deviceToken ?? (await roster.getState()).token ?? '';
  await roster.trackMetric({ deliveryId: push.deliveryId, event, deviceToken });
  return { push, first: true };
}

/**
 * One call for push: registers the current token (kept and attached at the next identify if nobody
 * is identified yet), follows rotation (the old token is deleted from the person, then the new one
 * added, in that order), reports `opened` (and `delivered` while the app runs) for Roster's pushes,
 * and hands deep links to the app. Returns a function that stops listening.
 * @example
 * const stop = registerPush(Roster, expoPush(Notifications), { onDeepLink: (url) => Linking.openURL(url) });
 */
export function registerPush(
  roster: PushTarget,
  source: PushSource,
  options: RegisterPushOptions = {},
): () => void {
  const offs: Array<() => void> = [];
  let stopped = false;
  let rotated = false;
  void source
    .getToken()
    .then((token) => {
      // A rotation that arrived first is newer: registering this one after it would undo it.
      if (token && !stopped && !rotated) void roster.registerDeviceToken(token);
    })
    .catch(() => undefined);
  offs.push(
    source.onTokenChange((token) => {
      rotated = true;
      void roster.registerDeviceToken(token);
    }),
  );
  offs.push(
    source.onOpened((message) => {
      // The launch response can also reach the listener: its link is handed over once.
      void reportOnce(roster, 'opened', message).then((r) => {
        if (r?.first && r.push.link && options.onDeepLink) options.onDeepLink(r.push.link, r.push);
      });
    }),
  );
  if (options.trackDelivered !== false)
    offs.push(source.onReceived((message) => void trackPush(roster, 'delivered', message)));
  return () => {
    stopped = true;
    for (const off of offs.splice(0)) off();
  };
}

/**
 * Types for the app libraries the React Native examples use that cannot be installed in this
 * repository (Expo's packages need Node 22 and the `expo` package; Firebase's need native projects).
 * Each declares the part of the library's published API the examples and README snippets call, with
 * the library's own names and signatures, so `npm run typecheck` checks our calls against them.
 */
declare module 'expo-notifications' {
  export interface EventSubscription {
    remove(): void;
  }
  export enum IosAuthorizationStatus {
    NOT_DETERMINED = 0,
    DENIED = 1,
    AUTHORIZED = 2,
    PROVISIONAL = 3,
    EPHEMERAL = 4,
  }
  export interface NotificationPermissionsStatus {
    status: 'granted' | 'denied' | 'undetermined';
    granted: boolean;
    canAskAgain: boolean;
    expires: 'never' | number;
    ios?: { status: IosAuthorizationStatus; allowsAlert: boolean | null } | null;
    android?: { importance: number } | null;
  }
  export interface DevicePushToken {
    type: 'ios' | 'android' | 'web';
    data: string;
  }
  export interface NotificationContent {
    title: string | null;
    body: string | null;
    data: Record<string, unknown>;
  }
  export interface NotificationRequest {
    identifier: string;
    content: NotificationContent;
    trigger: {
      type: string;
      payload?: Record<string, unknown>;
      remoteMessage?: { data?: Record<string, string> };
    } | null;
  }
  export interface Notification {
    date: number;
    request: NotificationRequest;
  }
  export interface NotificationResponse {
    notification: Notification;
    actionIdentifier: string;
  }
  export function getPermissionsAsync(): Promise<NotificationPermissionsStatus>;
  export function requestPermissionsAsync(): Promise<NotificationPermissionsStatus>;
  export function getDevicePushTokenAsync(): Promise<DevicePushToken>;
  export function addPushTokenListener(listener: (token: DevicePushToken) => void): EventSubscription;
  export function addNotificationReceivedListener(listener: (event: Notification) => void): EventSubscription;
  export function addNotificationResponseReceivedListener(
    listener: (event: NotificationResponse) => void,
  ): EventSubscription;
  export function getLastNotificationResponseAsync(): Promise<NotificationResponse | null>;
}

declare module 'expo-device' {
  export const modelName: string | null;
  export const modelId: unknown;
  export const manufacturer: string | null;
  export const osVersion: string | null;
}

declare module 'expo-application' {
  export const nativeApplicationVersion: string | null;
  export const nativeBuildVersion: string | null;
}

declare module 'react-native-device-info' {
  const DeviceInfo: {
    getModel(): string;
    getManufacturerSync(): string;
    getVersion(): string;
  };
  export default DeviceInfo;
}

declare module '@react-native-firebase/messaging' {
  export namespace FirebaseMessagingTypes {
    enum AuthorizationStatus {
      NOT_DETERMINED = -1,
      DENIED = 0,
      AUTHORIZED = 1,
      PROVISIONAL = 2,
      EPHEMERAL = 3,
    }
    interface RemoteMessage {
      messageId?: string;
      data?: { [key: string]: string | object };
      notification?: { title?: string; body?: string };
    }
    interface Module {
      getToken(): Promise<string>;
      hasPermission(): Promise<AuthorizationStatus>;
      onTokenRefresh(listener: (token: string) => unknown): () => void;
      onMessage(listener: (message: RemoteMessage) => unknown): () => void;
      onNotificationOpenedApp(listener: (message: RemoteMessage) => unknown): () => void;
      getInitialNotification(): Promise<RemoteMessage | null>;
      setBackgroundMessageHandler(handler: (message: RemoteMessage) => Promise<unknown>): void;
    }
  }
  function messaging(): FirebaseMessagingTypes.Module;
  export default messaging;
}

// Snippet, not built: shows how a React Native app wires the SDK. Needs
// @react-native-async-storage/async-storage and, without Hermes' crypto, react-native-get-random-values.
import 'react-native-get-random-values';
import AsyncStorage from '@react-native-async-storage/async-storage';
import messaging from '@react-native-firebase/messaging';
import { useEffect } from 'react';
import { AppState, Button, Platform, View } from 'react-native';
import { Roster } from '@roster/sdk/react-native';

Roster.initialize({
  siteId: 'YOUR_SITE_ID',
  apiKey: 'YOUR_TRACKING_API_KEY', // ships in the app: it can only write tracking data
  region: 'us', // or trackingApiUrl: 'https://roster.example.com'
  storage: AsyncStorage,
  appState: AppState, // flush when the app goes to the background
  deviceInfo: async () => ({
    platform: Platform.OS, // 'ios' | 'android', as Customer.io expects
    deviceOs: String(Platform.Version),
    pushEnabled: (await messaging().hasPermission()) === messaging.AuthorizationStatus.AUTHORIZED,
  }),
});

export default function App() {
  useEffect(() => {
    // Safe before login: the token is kept and attached to whoever identifies next.
    void messaging()
      .getToken()
      .then((token) => Roster.registerDeviceToken(token));
    return messaging().onTokenRefresh((token) => void Roster.registerDeviceToken(token));
  }, []);

  return (
    <View>
      <Button title="Log in" onPress={() => Roster.identify('u1', { first_name: 'Ada' })} />
      <Button title="Buy" onPress={() => Roster.track('purchase', { total: 42 })} />
      <Button title="Log out" onPress={() => Roster.clearIdentify()} />
    </View>
  );
}

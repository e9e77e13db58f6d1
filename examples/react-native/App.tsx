// A bare React Native app with Firebase messaging. Install in the app:
//   npm install ./roster-sdk-0.1.0.tgz @react-native-async-storage/async-storage @react-native-firebase/app @react-native-firebase/messaging
import AsyncStorage from '@react-native-async-storage/async-storage';
import messaging from '@react-native-firebase/messaging';
import { useEffect } from 'react';
import { Button, Linking, View } from 'react-native';
import { Roster, firebasePush, firebasePushPermission, trackPush } from '@roster/sdk/react-native';

Roster.initialize({
  siteId: 'YOUR_SITE_ID',
  apiKey: 'YOUR_TRACKING_API_KEY', // ships in the app: it can only write tracking data
  trackingApiUrl: 'https://roster.example.com', // or region: 'us' | 'eu' for Customer.io
  storage: AsyncStorage,
  // Platform, OS version, locale and timezone are read automatically; push_enabled from Firebase.
  pushPermission: firebasePushPermission(messaging()),
});

// Pushes that arrive while the app is in the background or killed: report `delivered`.
messaging().setBackgroundMessageHandler(async (message) => {
  await trackPush(Roster, 'delivered', message);
});

export default function App() {
  // The token (now, and each time Firebase rotates it), opened/delivered metrics and deep links.
  useEffect(
    () => Roster.registerPush(firebasePush(messaging()), { onDeepLink: (url) => void Linking.openURL(url) }),
    [],
  );

  return (
    <View>
      <Button title="Log in" onPress={() => void Roster.identify('u1', { first_name: 'Ada' })} />
      <Button title="Buy" onPress={() => void Roster.track('purchase', { total: 42 })} />
      <Button title="Log out" onPress={() => void Roster.clearIdentify()} />
    </View>
  );
}

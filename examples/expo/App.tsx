// An Expo app (development build; remote push needs one, not Expo Go). Install in the app:
//   npx expo install expo-notifications expo-device expo-application @react-native-async-storage/async-storage
//   npm install ./roster-sdk-0.1.0.tgz
import AsyncStorage from '@react-native-async-storage/async-storage';
import * as Application from 'expo-application';
import * as Device from 'expo-device';
import * as Notifications from 'expo-notifications';
import { useEffect, useState } from 'react';
import { Button, Linking, Text, View } from 'react-native';
import { Roster, expoPush, expoPushPermission, fromExpo } from '@roster/sdk/react-native';

Roster.initialize({
  siteId: 'YOUR_SITE_ID',
  apiKey: 'YOUR_TRACKING_API_KEY',
  trackingApiUrl: 'https://roster.example.com',
  storage: AsyncStorage,
  deviceFacts: fromExpo(Device, Application), // device_model, device_manufacturer, app_version
  pushPermission: expoPushPermission(Notifications), // push_enabled, re-read on every foreground
});

export default function App() {
  const [who, setWho] = useState<string | null>(null);

  useEffect(() => {
    // Ask once; the answer reaches Roster as push_enabled the next time the app is in the foreground.
    void Notifications.requestPermissionsAsync();
    // The APNs/FCM token now and after rotation, opened/delivered metrics, deep links to the app.
    return Roster.registerPush(expoPush(Notifications), { onDeepLink: (url) => void Linking.openURL(url) });
  }, []);

  const logIn = async () => {
    // With signed identify on, pass the signature your backend issued: { signature }.
    await Roster.identify('ada@example.com', { first_name: 'Ada' });
    setWho('ada@example.com');
  };

  return (
    <View>
      <Text>{who ? `Signed in as ${who}` : 'Anonymous (events are kept and merged at login)'}</Text>
      <Button title="Log in" onPress={() => void logIn()} />
      <Button title="Add to cart" onPress={() => void Roster.track('added_to_cart', { sku: 'A-1' })} />
      <Button title="Log out" onPress={() => void Roster.clearIdentify().then(() => setWho(null))} />
    </View>
  );
}

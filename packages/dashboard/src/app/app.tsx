import { useEffect, useState } from 'preact/hooks';
import { UNAUTHORIZED_EVENT } from '../api/client';
import { session } from '../api/session';
import { LoginPage } from '../login/login-page';
import { navigate, navigation, useLocation } from '../lib/router';
import { Shell } from './shell';

/**
 * Signed in or not. The key comes from this tab or this device (api/session.ts); a 401 anywhere,
 * or another tab signing out, returns here to the sign-in page.
 */
export function App() {
  const path = useLocation();
  const [key, setKey] = useState(session.key);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    const onUnauthorized = () => {
      setExpired(true);
      setKey(null);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    const unwatch = session.watch(() => setKey(session.key));
    return () => {
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
      unwatch();
    };
  }, []);

  if (!key)
    return (
      <LoginPage
        expired={expired}
        onSignedIn={(k, remember) => {
          session.set(k, remember);
          // Like a navigation: the page's heading takes focus, so the keyboard starts there.
          navigation.count++;
          setExpired(false);
          setKey(k);
        }}
      />
    );

  return (
    <Shell
      path={path}
      onSignOut={() => {
        session.clear();
        setExpired(false);
        setKey(null);
        navigate('/people', true);
      }}
    />
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import { errorMessage } from '../models/format';
import { useTitle } from '../lib/use-title';

const ROTATE = 'npx roster workspace rotate-keys SITE_ID --app';

/**
 * Asks for the workspace's App API key and checks it against the server. Kept for this tab, or on
 * this device when "Remember on this device" is ticked.
 */
export function LoginPage({
  onSignedIn,
  expired,
}: {
  onSignedIn: (key: string, remember: boolean) => void;
  expired: boolean;
}) {
  useTitle('Sign in');
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    expired
      ? 'You were signed out: the server no longer accepts that key (it may have been rotated). Enter the current App API key.'
      : null,
  );
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) {
      setError('Enter the App API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Any authenticated read will do; segments exist on every server.
      await api('GET', '/segments', undefined, { key: k });
      onSignedIn(k, remember);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        setError('That key was not accepted. Use the workspace’s App API key (not the tracking key).');
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form onSubmit={submit} class="card" aria-labelledby="login-title" aria-describedby="login-help">
        <h1 id="login-title">
          <span class="logo" aria-hidden="true">
            R
          </span>{' '}
          Sign in to Roster
        </h1>
        <p id="login-help" class="muted">
          Enter your workspace’s <strong>App API key</strong>. <code>roster serve</code> printed it on first
          start;{' '}
          <code>
            {/* Lines break between words only, never inside "rotate-keys" or "--app". */}
            {ROTATE.split(' ').map((word, i) => [i ? ' ' : '', <span class="nowrap">{word}</span>])}
          </code>{' '}
          makes a new one.
        </p>
        <label for="app-key">App API key</label>
        <div class="inline key-row">
          <input
            id="app-key"
            ref={input}
            type={show ? 'text' : 'password'}
            autocomplete="current-password"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-errormessage={error ? 'login-error' : undefined}
          />
          <button type="button" class="small" aria-pressed={show} onClick={() => setShow(!show)}>
            {show ? 'Hide' : 'Show'}
            <span class="sr-only"> key</span>
          </button>
        </div>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Remember on this device
        </label>
        <p class="hint">
          {remember
            ? 'The key stays in this browser (localStorage) until you sign out or it stops working, in every tab.'
            : 'The key is kept for this tab only and forgotten when you close it.'}
        </p>
        {error ? (
          <p class="notice error" id="login-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';

/** Asks once per browser session for the workspace's App API key and checks it against the server. */
export function Login({ onSignedIn, expired }: { onSignedIn: (key: string) => void; expired: boolean }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    expired ? 'The server no longer accepts that key. Enter the current App API key.' : null,
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
      onSignedIn(k);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        setError('That key was not accepted. Use the workspace’s App API key (not the tracking key).');
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form onSubmit={submit} class="card" aria-describedby="login-help">
        <h1>
          <span class="logo" aria-hidden="true">
            R
          </span>{' '}
          Roster
        </h1>
        <p id="login-help" class="muted">
          Enter your workspace’s <strong>App API key</strong>. <code>roster serve</code> printed it on first
          start; <code>npx roster workspace rotate-keys SITE_ID --app</code> makes a new one. It is kept for
          this browser tab only.
        </p>
        <label for="app-key">App API key</label>
        <input
          id="app-key"
          ref={input}
          type="password"
          autocomplete="current-password"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-invalid={error ? 'true' : undefined}
          aria-errormessage={error ? 'login-error' : undefined}
        />
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

import type { RotateKeysResponse } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { session } from '../api/session';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';

/** Rotates keys. A new App key keeps this browser signed in; other browsers are signed out. */
export function KeysCard({ siteId }: { siteId: string }) {
  const [track, setTrack] = useState(false);
  const [app, setApp] = useState(false);
  const [keys, setKeys] = useState<RotateKeysResponse | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const rotate = async (e: Event) => {
    e.preventDefault();
    if (!track && !app) return;
    const which = [track && 'tracking API key', app && 'App API key'].filter(Boolean).join(' and ');
    if (!confirm(`Rotate the ${which}? The old key stops working at once.`)) return;
    try {
      const fresh = await App.rotateKeys({ track, app });
      setKeys(fresh);
      if (fresh.app_api_key) session.replace(fresh.app_api_key);
      setOutcome({
        ok: true,
        text: `Rotated. Copy the new ${app && track ? 'keys' : 'key'} now: ${app && track ? 'they are' : 'it is'} not shown again.${app ? ' Other browsers signed in with the old App key are signed out.' : ''}`,
      });
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };
  return (
    <form class="card" onSubmit={rotate} aria-labelledby="h-keys">
      <h2 id="h-keys">Keys</h2>
      <p class="hint">
        Keys are stored only as hashes, so they cannot be shown again. Rotating makes new ones and the old
        ones stop working at once. Site id: <code>{siteId}</code>.
      </p>
      <fieldset class="radios">
        <legend>Rotate</legend>
        <label class="check">
          <input type="checkbox" checked={track} onChange={(e) => setTrack(e.currentTarget.checked)} />{' '}
          Tracking API key (used by apps; update them)
        </label>
        <label class="check">
          <input type="checkbox" checked={app} onChange={(e) => setApp(e.currentTarget.checked)} /> App API
          key (this dashboard and your servers)
        </label>
      </fieldset>
      <button type="submit" class="danger" disabled={!track && !app}>
        Rotate keys
      </button>
      <Notice outcome={outcome} />
      {keys ? (
        <dl class="kv keys" data-testid="new-keys">
          {keys.api_key ? (
            <>
              <dt>Tracking API key</dt>
              <dd>
                <code class="secret">{keys.api_key}</code>
              </dd>
            </>
          ) : null}
          {keys.app_api_key ? (
            <>
              <dt>App API key</dt>
              <dd>
                <code class="secret">{keys.app_api_key}</code>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </form>
  );
}

import type { RotateKeysResponse } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { session } from '../api/session';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage, fullTime } from '../models/format';
import {
  anyKey,
  anyWriteKey,
  confirmation,
  NO_KEYS,
  OVERLAPS,
  rotationBody,
  type KeyChoice,
} from '../models/keys';
import { NewKey } from './new-key';

const CHOICES: ReadonlyArray<{ key: Exclude<keyof KeyChoice, 'overlapSeconds'>; label: string }> = [
  { key: 'track', label: 'Tracking API key (used by apps; update them)' },
  { key: 'app', label: 'App API key (this dashboard and your servers)' },
  { key: 'write', label: 'Pipelines write key (wk_…, shipped in apps and web pages)' },
  { key: 'serverWrite', label: 'Pipelines server write key (swk_…, your back ends)' },
];

/**
 * Rotates keys. A new App key keeps this browser signed in; other browsers are signed out. The
 * Pipelines write keys can keep working for an overlap, so apps already shipped keep sending.
 */
export function KeysCard({ siteId }: { siteId: string }) {
  const [choice, setChoice] = useState<KeyChoice>(NO_KEYS);
  const [keys, setKeys] = useState<RotateKeysResponse | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const rotate = async (e: Event) => {
    e.preventDefault();
    if (!anyKey(choice)) return;
    if (!confirm(confirmation(choice))) return;
    try {
      const fresh = await App.rotateKeys(rotationBody(choice));
      setKeys(fresh);
      if (fresh.app_api_key) session.replace(fresh.app_api_key);
      const many = Object.keys(fresh).filter((k) => k.endsWith('_key')).length > 1;
      setOutcome({
        ok: true,
        text: `Rotated. Copy the new ${many ? 'keys' : 'key'} now: ${many ? 'they are' : 'it is'} not shown again.${choice.app ? ' Other browsers signed in with the old App key are signed out.' : ''}`,
      });
      setChoice(NO_KEYS);
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };
  const retire = keys?.previous_write_keys_retire_at;
  return (
    <form class="card" onSubmit={rotate} aria-labelledby="h-keys">
      <h2 id="h-keys">Keys</h2>
      <p class="hint">
        Keys are stored only as hashes, so they cannot be shown again. Rotating makes new ones; the old
        tracking and App keys stop working at once. Site id: <code>{siteId}</code>.
      </p>
      <fieldset class="radios">
        <legend>Rotate</legend>
        {CHOICES.map((c) => (
          <label class="check" key={c.key}>
            <input
              type="checkbox"
              checked={choice[c.key]}
              onChange={(e) => setChoice({ ...choice, [c.key]: e.currentTarget.checked })}
            />{' '}
            {c.label}
          </label>
        ))}
      </fieldset>
      {anyWriteKey(choice) ? (
        <p>
          <label for="key-overlap">Old write keys keep working for</label>{' '}
          <select
            id="key-overlap"
            value={String(choice.overlapSeconds)}
            onChange={(e) => setChoice({ ...choice, overlapSeconds: Number(e.currentTarget.value) })}
          >
            {OVERLAPS.map((o) => (
              <option key={o.seconds} value={String(o.seconds)}>
                {o.label}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      <button type="submit" class="danger" disabled={!anyKey(choice)}>
        Rotate keys
      </button>
      <Notice outcome={outcome} />
      {keys ? (
        <dl class="kv keys" data-testid="new-keys">
          <NewKey label="Tracking API key" value={keys.api_key} />
          <NewKey label="App API key" value={keys.app_api_key} />
          <NewKey label="Pipelines write key" value={keys.write_key} />
          <NewKey label="Pipelines server write key" value={keys.server_write_key} />
          {retire !== undefined && (keys.write_key || keys.server_write_key) ? (
            <>
              <dt>Old write keys</dt>
              <dd data-testid="write-key-overlap">
                {retire > Date.now() / 1000 ? (
                  <>
                    accepted until{' '}
                    <time dateTime={new Date(retire * 1000).toISOString()}>{fullTime(retire)}</time>
                  </>
                ) : (
                  'stopped working'
                )}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </form>
  );
}

import { useState } from 'preact/hooks';
import { App, ApiError, session, type Workspace } from '../api';
import { Async, Badge, ErrorBox, Json, PageTitle } from '../ui';
import { useAsync } from '../lib';

const MODES: Array<{ value: string; label: string }> = [
  { value: 'email_or_id', label: 'Email or ID (default): either identifies a person' },
  { value: 'id', label: 'ID only' },
  { value: 'email', label: 'Email only' },
];

export function Settings() {
  const ws = useAsync((s) => App.workspace(s).then((r) => r.workspace), []);
  return (
    <section>
      <PageTitle>Settings</PageTitle>
      <Async state={ws} what="Workspace settings" label="Loading workspace…">
        {(w) => (
          <>
            <WorkspaceCard w={w} onSaved={ws.reload} />
            <KeysCard siteId={w.site_id} />
            <ProvidersCard w={w} onSaved={ws.reload} />
          </>
        )}
      </Async>
    </section>
  );
}

function Result({ result }: { result: { ok: boolean; text: string; error?: unknown } | null }) {
  if (!result) return null;
  if (result.error instanceof ApiError && result.error.missingRoute) return <ErrorBox error={result.error} />;
  return (
    <p class={`notice ${result.ok ? 'ok' : 'error'}`} role={result.ok ? 'status' : 'alert'}>
      {result.text}
    </p>
  );
}

const failed = (err: unknown) => ({
  ok: false,
  text: err instanceof Error ? err.message : String(err),
  error: err,
});

function WorkspaceCard({ w, onSaved }: { w: Workspace; onSaved: () => void }) {
  const [mode, setMode] = useState(w.identifier_mode);
  const [result, setResult] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await App.updateWorkspace({ identifier_mode: mode });
      setResult({ ok: true, text: 'Saved.' });
      onSaved();
    } catch (err) {
      setResult(failed(err));
    }
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="h-ws">
      <h2 id="h-ws">Workspace</h2>
      <dl class="kv">
        <dt>Name</dt>
        <dd>{w.name}</dd>
        <dt>Site id</dt>
        <dd>
          <code>{w.site_id}</code>
        </dd>
      </dl>
      <fieldset class="radios">
        <legend>Identifier mode</legend>
        {MODES.map((m) => (
          <label class="check" key={m.value}>
            <input
              type="radio"
              name="mode"
              value={m.value}
              checked={mode === m.value}
              onChange={() => setMode(m.value)}
            />{' '}
            {m.label}
          </label>
        ))}
      </fieldset>
      <p class="hint">
        Changing the mode affects how new Track API calls are matched to people; existing people keep their
        identifiers.
      </p>
      {Object.keys(w.settings ?? {}).length ? (
        <details>
          <summary>Other settings</summary>
          <Json value={w.settings} />
        </details>
      ) : null}
      <button type="submit" class="primary" disabled={mode === w.identifier_mode}>
        Save
      </button>
      <Result result={result} />
    </form>
  );
}

function KeysCard({ siteId }: { siteId: string }) {
  const [track, setTrack] = useState(false);
  const [app, setApp] = useState(false);
  const [keys, setKeys] = useState<Record<string, unknown> | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const rotate = async (e: Event) => {
    e.preventDefault();
    if (!track && !app) return;
    const which = [track && 'tracking API key', app && 'App API key'].filter(Boolean).join(' and ');
    if (!confirm(`Rotate the ${which}? The old key stops working at once.`)) return;
    try {
      const r = await App.rotateKeys({ track, app });
      const fresh = (r.workspace ?? r.keys ?? r) as Record<string, unknown>;
      setKeys(fresh);
      const newApp = fresh.app_api_key ?? fresh.appApiKey;
      // Keep this session signed in with the new App key.
      if (app && typeof newApp === 'string') session.set(newApp);
      setResult({ ok: true, text: 'Rotated. Copy the new keys now: they are not shown again.' });
    } catch (err) {
      setResult(failed(err));
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
          key (this dashboard and servers)
        </label>
      </fieldset>
      <button type="submit" class="danger" disabled={!track && !app}>
        Rotate keys
      </button>
      <Result result={result} />
      {keys ? (
        <dl class="kv keys" data-testid="new-keys">
          {Object.entries(keys)
            .filter(([, v]) => typeof v === 'string')
            .map(([k, v]) => (
              <>
                <dt key={`k${k}`}>{k}</dt>
                <dd key={`v${k}`}>
                  <code class="secret">{String(v)}</code>
                </dd>
              </>
            ))}
        </dl>
      ) : null}
    </form>
  );
}

function ProvidersCard({ w, onSaved }: { w: Workspace; onSaved: () => void }) {
  const state = (kind: string) => w.push_providers?.find((p) => p.kind === kind)?.configured ?? false;
  return (
    <section class="card" aria-labelledby="h-push">
      <h2 id="h-push">Push providers</h2>
      <p class="hint">
        Credentials are write-only: Roster never shows them again. Saving replaces what is stored.
      </p>
      <div class="two">
        <ApnsForm configured={state('apns')} onSaved={onSaved} />
        <FcmForm configured={state('fcm')} onSaved={onSaved} />
      </div>
    </section>
  );
}

function ApnsForm({ configured, onSaved }: { configured: boolean; onSaved: () => void }) {
  const [f, setF] = useState({ key_id: '', team_id: '', topic: '', key_p8: '', production: true });
  const [result, setResult] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await App.setPushProvider('apns', f);
      setResult({ ok: true, text: 'APNs credentials saved.' });
      setF({ ...f, key_p8: '' });
      onSaved();
    } catch (err) {
      setResult(failed(err));
    }
  };
  const input = (k: 'key_id' | 'team_id' | 'topic', label: string) => (
    <>
      <label for={`apns-${k}`}>{label}</label>
      <input
        id={`apns-${k}`}
        required
        value={f[k]}
        onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })}
      />
    </>
  );
  return (
    <form class="stack" onSubmit={save} aria-labelledby="h-apns">
      <h3 id="h-apns">
        APNs (iOS){' '}
        <Badge tone={configured ? 'good' : 'neutral'}>{configured ? 'configured' : 'not configured'}</Badge>
      </h3>
      {input('key_id', 'Key ID')}
      {input('team_id', 'Team ID')}
      {input('topic', 'Bundle ID (topic)')}
      <label for="apns-key">Private key (.p8)</label>
      <textarea
        id="apns-key"
        required
        rows={4}
        spellcheck={false}
        value={f.key_p8}
        onInput={(e) => setF({ ...f, key_p8: e.currentTarget.value })}
        placeholder="-----BEGIN PRIVATE KEY-----"
      />
      <label class="check">
        <input
          type="checkbox"
          checked={f.production}
          onChange={(e) => setF({ ...f, production: e.currentTarget.checked })}
        />{' '}
        Production (uncheck for the sandbox)
      </label>
      <button type="submit" class="primary">
        Save APNs
      </button>
      <Result result={result} />
    </form>
  );
}

function FcmForm({ configured, onSaved }: { configured: boolean; onSaved: () => void }) {
  const [json, setJson] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    let account: unknown;
    try {
      account = JSON.parse(json);
    } catch {
      setResult({ ok: false, text: 'The service account must be the JSON file Firebase gave you.' });
      return;
    }
    try {
      await App.setPushProvider('fcm', { service_account: account });
      setResult({ ok: true, text: 'FCM credentials saved.' });
      setJson('');
      onSaved();
    } catch (err) {
      setResult(failed(err));
    }
  };
  return (
    <form class="stack" onSubmit={save} aria-labelledby="h-fcm">
      <h3 id="h-fcm">
        FCM (Android){' '}
        <Badge tone={configured ? 'good' : 'neutral'}>{configured ? 'configured' : 'not configured'}</Badge>
      </h3>
      <label for="fcm-json">Service account JSON</label>
      <textarea
        id="fcm-json"
        required
        rows={8}
        spellcheck={false}
        value={json}
        onInput={(e) => setJson(e.currentTarget.value)}
        placeholder='{"type": "service_account", "project_id": "…"}'
      />
      <button type="submit" class="primary">
        Save FCM
      </button>
      <Result result={result} />
    </form>
  );
}

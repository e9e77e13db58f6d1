import type { WorkspaceView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { JsonView } from '../components/json-view';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';

const MODES: Array<{ value: string; label: string }> = [
  { value: 'email_or_id', label: 'Email or ID (default): either identifies a person' },
  { value: 'id', label: 'ID only' },
  { value: 'email', label: 'Email only' },
];

export function WorkspaceCard({ w, onSaved }: { w: WorkspaceView['workspace']; onSaved: () => void }) {
  const [mode, setMode] = useState(w.identifier_mode);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await App.updateWorkspace({ identifier_mode: mode });
      setOutcome({ ok: true, text: 'Saved.' });
      onSaved();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
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
        The mode decides how new Track API calls are matched to people; existing people keep their
        identifiers.
      </p>
      {Object.keys(w.settings ?? {}).length ? (
        <details>
          <summary>Other settings</summary>
          <JsonView value={w.settings} />
        </details>
      ) : null}
      <button type="submit" class="primary" disabled={mode === w.identifier_mode}>
        Save
      </button>
      <Notice outcome={outcome} />
    </form>
  );
}

import type { PushProviderView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';
import { ProviderHeading } from './provider-heading';

const FIELDS: Array<['key_id' | 'team_id' | 'topic', string]> = [
  ['key_id', 'Key ID'],
  ['team_id', 'Team ID'],
  ['topic', 'Bundle ID (topic)'],
];

export function ApnsForm({
  provider,
  onSaved,
}: {
  provider: PushProviderView | undefined;
  onSaved: () => void;
}) {
  const [f, setF] = useState({ key_id: '', team_id: '', topic: '', key_p8: '', production: true });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await App.setPushProvider('apns', f);
      setOutcome({ ok: true, text: 'APNs credentials saved.' });
      setF({ ...f, key_p8: '' });
      onSaved();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };
  return (
    <form class="stack" onSubmit={save} aria-labelledby="h-apns">
      <ProviderHeading id="apns" title="APNs (iOS)" provider={provider}>
        {provider?.topic} · key {provider?.key_id} · team {provider?.team_id}
      </ProviderHeading>
      {FIELDS.map(([k, label]) => (
        <div class="stack" key={k}>
          <label for={`apns-${k}`}>{label}</label>
          <input
            id={`apns-${k}`}
            required
            value={f[k]}
            onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })}
          />
        </div>
      ))}
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
        Production (untick for the sandbox)
      </label>
      <button type="submit" class="primary">
        Save APNs
      </button>
      <Notice outcome={outcome} />
    </form>
  );
}

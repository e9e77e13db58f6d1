import type { PushProviderView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';
import { ProviderHeading } from './provider-heading';

export function FcmForm({
  provider,
  onSaved,
}: {
  provider: PushProviderView | undefined;
  onSaved: () => void;
}) {
  const [json, setJson] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    let account: unknown;
    try {
      account = JSON.parse(json);
    } catch {
      setOutcome({ ok: false, text: 'The service account must be the JSON file Firebase gave you.' });
      return;
    }
    try {
      await App.setPushProvider('fcm', { service_account: account });
      setOutcome({ ok: true, text: 'FCM credentials saved.' });
      setJson('');
      onSaved();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    }
  };
  return (
    <form class="stack" onSubmit={save} aria-labelledby="h-fcm">
      <ProviderHeading id="fcm" title="FCM (Android)" provider={provider}>
        Project {provider?.project_id}
      </ProviderHeading>
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
      <Notice outcome={outcome} />
    </form>
  );
}

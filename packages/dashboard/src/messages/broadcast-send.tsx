import type { AppCampaign, BroadcastTriggerView } from '@roster/protocol';
import { useEffect, useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { JsonField } from '../components/json-field';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage, num } from '../models/format';
import { parseJsonObject } from '../models/json-object';

/** How often a sent broadcast's progress is asked for while it fans out. */
const POLL_MS = 1000;

/** Sends a broadcast now, with trigger data, and follows its fan-out until it is done. */
export function BroadcastSend({ campaign, onSent }: { campaign: AppCampaign; onSent: () => void }) {
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [trigger, setTrigger] = useState<BroadcastTriggerView | null>(null);
  const [busy, setBusy] = useState(false);
  const data = parseJsonObject(text);

  useEffect(() => {
    if (!trigger || trigger.status !== 'pending') return;
    const t = setTimeout(() => {
      App.broadcastTrigger(campaign.id, trigger.id).then(
        (next) => {
          setTrigger(next);
          if (next.status !== 'pending') onSent();
        },
        (err: unknown) => setOutcome({ ok: false, text: errorMessage(err), error: err }),
      );
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [trigger]);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!data.ok) return;
    if (!confirm(`Send “${campaign.name}” now?`)) return;
    setBusy(true);
    setOutcome(null);
    try {
      const id = await App.triggerBroadcast(campaign.id, data.value ? { data: data.value } : {});
      setTrigger(await App.broadcastTrigger(campaign.id, id));
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="stack broadcast-send"
      onSubmit={send}
      aria-label={`Send ${campaign.name}`}
      data-testid="broadcast-send"
    >
      <h3>Send “{campaign.name}”</h3>
      <JsonField
        id="broadcast-data"
        label="Trigger data (JSON, optional)"
        hint="Fills {{ trigger.* }} in the message for everyone it goes to."
        placeholder='{"headline": "Big news"}'
        value={text}
        onInput={setText}
      />
      <button type="submit" class="primary" disabled={busy || !data.ok || trigger?.status === 'pending'}>
        {busy ? 'Sending…' : 'Send now'}
      </button>
      {trigger ? (
        <p
          class={`notice ${trigger.status === 'failed' ? 'error' : 'ok'}`}
          role="status"
          data-testid="broadcast-status"
        >
          {trigger.status === 'pending'
            ? `Sending… ${num(trigger.queued)} queued so far.`
            : trigger.status === 'done'
              ? `Sent: ${num(trigger.queued)} ${trigger.queued === 1 ? 'message' : 'messages'} queued.`
              : `Failed: ${trigger.error ?? 'unknown error'}.`}
        </p>
      ) : null}
      <Notice outcome={outcome} />
    </form>
  );
}

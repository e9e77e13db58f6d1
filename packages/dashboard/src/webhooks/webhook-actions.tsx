import type { WebhookView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Notice, type Outcome } from '../components/notice';
import { navigate } from '../lib/router';
import { errorMessage } from '../models/format';
import { ROTATE_OVERLAPS, rotateQuestion } from '../models/webhooks';

/**
 * Turn a subscription on or off (on resumes a paused one, oldest queued delivery first), rotate its
 * signing secret (the old one keeps signing beside the new one for the time chosen, a day unless
 * told), delete it with its deliveries.
 */
export function WebhookActions({
  webhook,
  onChanged,
  onEdit,
}: {
  webhook: WebhookView;
  onChanged: (w: WebhookView) => void;
  onEdit: () => void;
}) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [overlap, setOverlap] = useState(86_400);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setOutcome(null);
    try {
      await work();
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error), error });
    } finally {
      setBusy(false);
    }
  };
  const on = webhook.enabled && !webhook.paused;
  const toggle = () =>
    run(async () => {
      const w = await App.updateWebhook(webhook.id, { enabled: !on });
      setOutcome({ ok: true, text: on ? 'Turned off: nothing is queued for it now.' : 'Turned on.' });
      onChanged(w);
    });
  const rotate = () =>
    run(async () => {
      if (!confirm(rotateQuestion(overlap))) return;
      onChanged(await App.rotateWebhookSecret(webhook.id, overlap));
    });
  const remove = () =>
    run(async () => {
      if (!confirm(`Delete the subscription to ${webhook.url}, with its queued deliveries and attempts?`))
        return;
      await App.deleteWebhook(webhook.id);
      navigate('/webhooks');
    });
  return (
    <div class="stack">
      <div class="inline">
        <button type="button" onClick={onEdit} disabled={busy}>
          Edit
        </button>
        <button type="button" class={on ? '' : 'primary'} onClick={() => void toggle()} disabled={busy}>
          {on ? 'Turn off' : webhook.paused ? 'Resume' : 'Turn on'}
        </button>
        <span class="inline">
          <button type="button" onClick={() => void rotate()} disabled={busy}>
            Rotate secret
          </button>
          <label for="webhook-overlap" class="small">
            Old secret
          </label>
          <select
            id="webhook-overlap"
            value={String(overlap)}
            onChange={(e) => setOverlap(Number(e.currentTarget.value))}
          >
            {ROTATE_OVERLAPS.map((o) => (
              <option key={o.seconds} value={String(o.seconds)}>
                {o.seconds === 0 ? 'stops at once' : `signs ${o.label} more`}
              </option>
            ))}
          </select>
        </span>
        <button type="button" class="danger" onClick={() => void remove()} disabled={busy}>
          Delete
        </button>
      </div>
      <Notice outcome={outcome} />
    </div>
  );
}

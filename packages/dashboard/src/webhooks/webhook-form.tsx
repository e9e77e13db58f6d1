import type { WebhookView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { FieldError } from '../components/field-error';
import { Notice, type Outcome } from '../components/notice';
import { useSegments } from '../data/use-segments';
import { errorMessage } from '../models/format';
import {
  draftOf,
  KIND_GROUPS,
  NEW_WEBHOOK,
  toggleKind,
  wantsEvents,
  wantsSegments,
  webhookBody,
  webhookProblems,
  type WebhookDraft,
} from '../models/webhooks';

/** Which field a server error names (`/url`, `/events/0`, `/event_names`). */
function fieldOf(err: unknown): 'url' | 'events' | 'eventNames' | 'batch' | null {
  if (!(err instanceof ApiError) || !err.pointer) return null;
  if (err.pointer.startsWith('/url')) return 'url';
  if (err.pointer.startsWith('/events')) return 'events';
  if (err.pointer.startsWith('/event_names')) return 'eventNames';
  if (err.pointer.startsWith('/batch')) return 'batch';
  return null;
}

/**
 * Creates a subscription, or changes one: the URL, the kinds of change (grouped), the event names
 * `event.tracked` is limited to, the segments `segment.entered` / `segment.exited` are limited to.
 */
export function WebhookForm({
  webhook,
  onSaved,
  onCancel,
}: {
  webhook: WebhookView | null;
  onSaved: (w: WebhookView) => void;
  onCancel?: () => void;
}) {
  const [d, setD] = useState<WebhookDraft>(webhook ? draftOf(webhook) : NEW_WEBHOOK);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<{ field: string; text: string } | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const segments = useSegments();
  const problems = webhookProblems(d);
  const err = (f: 'url' | 'events' | 'eventNames' | 'batch') =>
    (tried ? problems[f] : undefined) ?? (serverError?.field === f ? serverError.text : undefined);
  const id = (s: string) => `wh-${webhook?.id ?? 'new'}-${s}`;

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setOutcome(null);
    setServerError(null);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const saved = webhook
        ? await App.updateWebhook(webhook.id, webhookBody(d))
        : await App.createWebhook(webhookBody(d));
      setOutcome({ ok: true, text: 'Saved.' });
      onSaved(saved);
    } catch (error) {
      const field = fieldOf(error);
      if (field) setServerError({ field, text: errorMessage(error) });
      else setOutcome({ ok: false, text: errorMessage(error), error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="stack webhook-form"
      onSubmit={save}
      noValidate
      aria-label={webhook ? 'Edit subscription' : 'New subscription'}
    >
      <label for={id('url')}>URL</label>
      <input
        id={id('url')}
        type="url"
        inputMode="url"
        placeholder="https://hooks.example.com/roster"
        value={d.url}
        onInput={(e) => setD({ ...d, url: e.currentTarget.value })}
        aria-invalid={err('url') ? 'true' : undefined}
        aria-describedby={err('url') ? id('url-error') : undefined}
      />
      <FieldError id={id('url-error')} text={err('url')} />
      <label for={id('description')}>Description</label>
      <input
        id={id('description')}
        value={d.description}
        placeholder="CRM sync"
        onInput={(e) => setD({ ...d, description: e.currentTarget.value })}
      />
      <fieldset class="kinds" aria-describedby={err('events') ? id('events-error') : undefined}>
        <legend>Send these changes</legend>
        {KIND_GROUPS.map((g) => (
          <div class="kind-group" key={g.label} role="group" aria-label={g.label}>
            <span class="muted small">{g.label}</span>
            {g.kinds.map((k) => (
              <label class="check" key={k}>
                <input
                  type="checkbox"
                  checked={d.events.includes(k)}
                  onChange={(e) => setD(toggleKind(d, k, e.currentTarget.checked))}
                />{' '}
                <code>{k}</code>
              </label>
            ))}
          </div>
        ))}
      </fieldset>
      <FieldError id={id('events-error')} text={err('events')} />
      {wantsEvents(d) ? (
        <div class="indent stack">
          <label for={id('names')}>Only these event names (optional)</label>
          <input
            id={id('names')}
            value={d.eventNames}
            placeholder="purchase, signup"
            onInput={(e) => setD({ ...d, eventNames: e.currentTarget.value })}
            aria-invalid={err('eventNames') ? 'true' : undefined}
            aria-describedby={id('names-hint')}
          />
          <p class="hint" id={id('names-hint')}>
            Separated by commas. Empty: every tracked event.
          </p>
          <FieldError id={id('names-error')} text={err('eventNames')} />
        </div>
      ) : null}
      {wantsSegments(d) ? (
        <fieldset class="indent radios">
          <legend>Only these segments (none chosen: every segment)</legend>
          {(segments.data ?? []).map((s) => (
            <label class="check" key={s.id}>
              <input
                type="checkbox"
                checked={d.segmentIds.includes(s.id)}
                onChange={(e) =>
                  setD({
                    ...d,
                    segmentIds: e.currentTarget.checked
                      ? [...d.segmentIds, s.id]
                      : d.segmentIds.filter((x) => x !== s.id),
                  })
                }
              />{' '}
              {s.name}
            </label>
          ))}
          {segments.data?.length === 0 ? <p class="hint">No segments yet.</p> : null}
        </fieldset>
      ) : null}
      <label for={id('batch')}>Events per request</label>
      <input
        id={id('batch')}
        type="number"
        min={1}
        max={100}
        step={1}
        class="narrow"
        value={String(d.batch)}
        onInput={(e) => setD({ ...d, batch: Number(e.currentTarget.value) })}
        aria-invalid={err('batch') ? 'true' : undefined}
        aria-describedby={id('batch-hint')}
      />
      <p class="hint" id={id('batch-hint')}>
        1: one event per request. Up to 100: the body is <code>{'{"events": [...]}'}</code> (docs/webhooks.md
        “Batches”).
      </p>
      <FieldError id={id('batch-error')} text={err('batch')} />
      <div class="inline form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {webhook ? 'Save subscription' : 'Create subscription'}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      <Notice outcome={outcome} />
    </form>
  );
}

import type { AppCampaign, CampaignAction } from '@roster/protocol';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { ErrorBox } from '../components/error-box';
import { useAsync } from '../lib/use-async';
import { useDebounced } from '../lib/use-debounced';
import { prettyJson } from '../models/campaign-form';
import type { PreviewFor } from './preview-panel';
import { WebhookTestSend } from './webhook-test-send';

/**
 * A campaign's webhook action rendered on the server for one person (nothing is sent): the request
 * line, the headers and the body, or why it would not be sent (Liquid that does not parse or
 * render, a body that is not JSON). "Send test request" sends it once to the saved URL and follows
 * the message until the endpoint answered.
 */
export function WebhookPreview({
  action,
  problem,
  p,
  campaign,
}: {
  action: CampaignAction;
  /** What the form already knows is wrong (nothing is rendered until it is fixed). */
  problem: string | null;
  p: PreviewFor;
  /** The saved campaign: a test goes to its saved URL. */
  campaign: AppCampaign | null;
}) {
  const { cioId, event, trigger } = p;
  const input = useDebounced(JSON.stringify({ action, cioId, event, trigger, problem }), 300);
  const state = useAsync(
    async (signal) => {
      if (!cioId || problem) return null;
      return App.previewWebhookAction(
        {
          action,
          customer_id: cioId,
          id_type: 'cio_id',
          ...(event ? { event } : {}),
          ...(trigger ? { trigger } : {}),
        },
        signal,
      );
    },
    [input],
  );
  const r = state.data;
  return (
    <div class="stack">
      <div class="preview" aria-live="polite" data-testid="webhook-preview">
        <p class="preview-label">Request preview</p>
        {!cioId ? (
          <p class="muted small">Choose a person to render the request with their attributes.</p>
        ) : problem ? (
          <p class="muted small">{problem}</p>
        ) : state.error ? (
          state.error instanceof ApiError && state.error.status === 400 ? (
            <p class="notice error" role="alert" data-testid="webhook-preview-error">
              {state.error.message}
            </p>
          ) : (
            <ErrorBox error={state.error} what="Preview" />
          )
        ) : r ? (
          <div class={`request${state.loading ? ' stale' : ''}`} data-testid="webhook-rendered">
            {r.error ? (
              <p class="notice error" role="alert" data-testid="webhook-preview-error">
                Would not be sent: {r.error}
              </p>
            ) : null}
            <p class="request-line">
              <strong>{r.method}</strong> <span class="break">{r.url}</span>
            </p>
            {Object.keys(r.headers).length ? (
              <dl class="request-headers">
                {Object.entries(r.headers).map(([name, value]) => (
                  <div key={name}>
                    <dt>{name}:</dt> <dd class="break">{value}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
            <pre class="json" data-testid="webhook-rendered-body">
              {prettyJson(r.body)}
            </pre>
          </div>
        ) : (
          <p class="muted small">Rendering…</p>
        )}
      </div>
      <WebhookTestSend action={action} p={p} campaign={campaign} blocked={problem} />
    </div>
  );
}

import type { PushTemplateFields } from '@roster/protocol';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import type { TemplateDraft } from '../models/campaign-form';
import { useAsync } from '../lib/use-async';
import { useDebounced } from '../lib/use-debounced';
import { ErrorBox } from './error-box';

/**
 * Renders a template on the server for one person (and device), as they would receive it, with
 * optional event and trigger data. Re-renders as the text changes.
 */
export function PushPreview({
  template,
  cioId,
  deviceToken,
  event,
  trigger,
}: {
  template: TemplateDraft;
  cioId: string | null;
  deviceToken?: string | undefined;
  event?: Record<string, unknown> | undefined;
  trigger?: Record<string, unknown> | undefined;
}) {
  const input = useDebounced(JSON.stringify({ template, cioId, deviceToken, event, trigger }), 300);
  const state = useAsync(
    async (signal) => {
      if (!cioId) return null;
      const t: PushTemplateFields = { title: template.title, message: template.message };
      if (template.image_url) t.image_url = template.image_url;
      if (template.link) t.link = template.link;
      return App.preview(
        {
          template: t,
          customer_id: cioId,
          id_type: 'cio_id',
          ...(deviceToken ? { device_token: deviceToken } : {}),
          ...(event ? { event } : {}),
          ...(trigger ? { trigger } : {}),
        },
        signal,
      );
    },
    [input],
  );
  return (
    <div class="preview" aria-live="polite" data-testid="preview">
      <p class="preview-label">Preview</p>
      {!cioId ? (
        <p class="muted small">Choose a person to preview with their attributes.</p>
      ) : state.error ? (
        state.error instanceof ApiError && (state.error.status === 400 || state.error.status === 422) ? (
          <p class="notice error" role="alert" data-testid="preview-error">
            {state.error.message}
          </p>
        ) : (
          <ErrorBox error={state.error} what="Preview" />
        )
      ) : state.data ? (
        <div class={`notification${state.loading ? ' stale' : ''}`} data-testid="preview-rendered">
          <span class="logo small" aria-hidden="true">
            R
          </span>
          <div>
            <strong class="n-title">{state.data.title}</strong>
            <p class="n-body">{state.data.message}</p>
            {state.data.link ? <p class="small muted">→ {state.data.link}</p> : null}
          </div>
          {state.data.image_url ? <img src={state.data.image_url} alt="" class="n-image" /> : null}
        </div>
      ) : (
        <p class="muted small">Rendering…</p>
      )}
    </div>
  );
}

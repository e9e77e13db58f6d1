import { FieldError } from '../components/field-error';
import {
  MAX_WEBHOOK_HEADERS,
  WEBHOOK_METHODS,
  type HeaderRow,
  type WebhookDraft,
  type WebhookMethod,
} from '../models/campaign-form';

/**
 * A campaign's webhook action: where the request goes (URL and method, fixed), its headers
 * (name → Liquid value, one row each) and its body (Liquid that renders to JSON).
 */
export function WebhookActionFields({
  value,
  onChange,
  errors,
  idPrefix,
}: {
  value: WebhookDraft;
  onChange: (w: WebhookDraft) => void;
  errors: { url?: string | undefined; headers?: string | undefined; body?: string | undefined };
  idPrefix: string;
}) {
  const id = (s: string) => `${idPrefix}-${s}`;
  const setRow = (i: number, patch: Partial<HeaderRow>) =>
    onChange({ ...value, headers: value.headers.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  return (
    <div class="stack" data-testid="webhook-action">
      <div class="webhook-target">
        <div class="stack">
          <label for={id('method')}>Method</label>
          <select
            id={id('method')}
            value={value.method}
            onChange={(e) => onChange({ ...value, method: e.currentTarget.value as WebhookMethod })}
          >
            {WEBHOOK_METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div class="stack">
          <label for={id('url')}>URL</label>
          <input
            id={id('url')}
            type="url"
            placeholder="https://crm.example.com/hooks/orders"
            value={value.url}
            onInput={(e) => onChange({ ...value, url: e.currentTarget.value })}
            aria-invalid={errors.url ? 'true' : undefined}
            aria-describedby={id('url-hint')}
          />
        </div>
      </div>
      <p class="hint" id={id('url-hint')}>
        Fixed, not Liquid. Requests are signed with the campaign’s secret (docs/webhooks.md).
      </p>
      <FieldError id={id('url-error')} text={errors.url} />

      <fieldset class="stack header-rows">
        <legend>Headers (values are Liquid)</legend>
        {value.headers.length === 0 ? (
          <p class="hint">None: Content-Type is application/json unless you set it.</p>
        ) : (
          value.headers.map((r, i) => (
            <div class="header-row" key={i} data-testid="header-row">
              <input
                aria-label={`Header ${i + 1} name`}
                placeholder="Authorization"
                value={r.name}
                onInput={(e) => setRow(i, { name: e.currentTarget.value })}
                autocomplete="off"
                spellcheck={false}
              />
              <input
                aria-label={`Header ${i + 1} value`}
                placeholder="Bearer {{ customer.crm_token }}"
                value={r.value}
                onInput={(e) => setRow(i, { value: e.currentTarget.value })}
                autocomplete="off"
                spellcheck={false}
              />
              <button
                type="button"
                class="small"
                aria-label={`Remove header ${i + 1}`}
                onClick={() => onChange({ ...value, headers: value.headers.filter((_, j) => j !== i) })}
              >
                Remove
              </button>
            </div>
          ))
        )}
        <div>
          <button
            type="button"
            class="small"
            disabled={value.headers.length >= MAX_WEBHOOK_HEADERS}
            onClick={() => onChange({ ...value, headers: [...value.headers, { name: '', value: '' }] })}
          >
            Add header
          </button>
        </div>
        <FieldError id={id('headers-error')} text={errors.headers} />
      </fieldset>

      <label for={id('body')}>Body (Liquid that renders to JSON)</label>
      <textarea
        id={id('body')}
        class="code"
        rows={6}
        spellcheck={false}
        value={value.body}
        onInput={(e) => onChange({ ...value, body: e.currentTarget.value })}
        aria-invalid={errors.body ? 'true' : undefined}
        aria-describedby={id('body-hint')}
      />
      <p class="hint" id={id('body-hint')}>
        Use the json filter for values: {'{"id": {{ customer.id | json }}, "item": {{ event.item | json }}}'}.
      </p>
      <FieldError id={id('body-error')} text={errors.body} />
    </div>
  );
}

import type { AppCampaign, AppSegment, TransactionalMessage } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { ConditionBuilder } from '../components/conditions/condition-builder';
import { ErrorBox } from '../components/error-box';
import { TemplateFields } from '../components/template-fields';
import {
  bodyOf,
  draftOf,
  draftProblems,
  newDraft,
  webhookActionOf,
  webhookProblem,
  type CampaignDraft,
  type DelayUnit,
  type DraftField,
} from '../models/campaign-form';
import { plainWords, problems, rowOf } from '../models/conditions';
import { errorMessage } from '../models/format';
import { FieldError } from '../components/field-error';
import { PushPreview } from '../components/push-preview';
import { PreviewPanel } from './preview-panel';
import { WebhookActionFields } from './webhook-action-fields';
import { WebhookPreview } from './webhook-preview';

/** Which form field a server error pointer (`/trigger/event`, `/delay_seconds`) belongs to. */
function fieldOf(pointer: string | undefined): DraftField | null {
  if (!pointer) return null;
  if (pointer.startsWith('/action/url')) return 'webhookUrl';
  if (pointer.startsWith('/action/headers')) return 'webhookHeaders';
  if (pointer.startsWith('/action/body') || pointer.startsWith('/action')) return 'webhookBody';
  if (pointer.startsWith('/name')) return 'name';
  if (pointer.startsWith('/trigger/segment_entered')) return 'triggerSegment';
  if (pointer.startsWith('/trigger')) return 'triggerEvent';
  if (pointer.startsWith('/template')) return 'template';
  if (pointer.startsWith('/delay_seconds')) return 'delayAmount';
  return null;
}

/**
 * Creates or edits a campaign (a trigger: an event or entering a segment) or a broadcast (sent
 * from here or `POST /v1/campaigns/:id/triggers`): who gets it, what it sends (a push, or a webhook
 * request: docs/webhooks.md "Campaign webhook actions"), and how long after the trigger it goes
 * out. The preview renders the push or the request for a chosen person with sample data; a saved
 * webhook campaign can send a test request from there.
 */
export function CampaignEditor({
  campaign,
  type,
  templates,
  segments,
  onCancel,
  onSaved,
}: {
  campaign: AppCampaign | null;
  type: 'triggered' | 'broadcast';
  templates: TransactionalMessage[];
  segments: AppSegment[];
  onCancel: () => void;
  onSaved: (c: AppCampaign) => void;
}) {
  const [d, setD] = useState<CampaignDraft>(() => (campaign ? draftOf(campaign) : newDraft(type)));
  const [tried, setTried] = useState(false);
  const [server, setServer] = useState<{ field?: DraftField; row?: string; text: string } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  // The campaign as last saved (a test request goes to its saved URL).
  const [current, setCurrent] = useState<AppCampaign | null>(campaign);
  const set = (patch: Partial<CampaignDraft>) => {
    setD({ ...d, ...patch });
    setServer(null);
    setSaved(false);
  };
  const found = draftProblems(d);
  const err = (f: DraftField) => (server?.field === f ? server.text : tried ? found[f] : undefined);
  const rowErrors = {
    ...(tried && d.audience === 'conditions'
      ? Object.fromEntries(problems(d.conditions).map((p) => [p.pointer, p.message]))
      : {}),
    ...(server?.row !== undefined ? { [server.row]: server.text } : {}),
  };
  const broadcast = d.type === 'broadcast';
  const noun = broadcast ? 'broadcast' : 'campaign';
  const id = (s: string) => `camp-${s}`;

  const save = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    setFailure(null);
    setServer(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const body = bodyOf(d, !campaign);
      const c = campaign ? await App.updateCampaign(campaign.id, body) : await App.createCampaign(body);
      setSaved(true);
      setCurrent(c);
      onSaved(c);
    } catch (error) {
      const pointer = error instanceof ApiError ? error.pointer : undefined;
      const row = rowOf(pointer, '/filter');
      const field = fieldOf(pointer);
      if (row !== null && d.audience === 'conditions')
        setServer({ row, text: plainWords(errorMessage(error)) });
      else if (field) setServer({ field, text: errorMessage(error) });
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const webhook = d.action === 'webhook';
  const webhookAction = webhookActionOf(d.webhook);
  const stored = templates.find((t) => t.id === d.templateId);
  const previewTemplate =
    d.templateMode === 'stored'
      ? {
          title: stored?.title ?? '',
          message: stored?.message ?? '',
          image_url: stored?.image_url ?? '',
          link: stored?.link ?? '',
        }
      : d.template;

  return (
    <div class="editor-grid" data-testid="campaign-editor">
      <form
        class="stack campaign-form"
        onSubmit={save}
        noValidate
        aria-label={campaign ? `Edit ${campaign.name}` : `New ${noun}`}
      >
        <h3>{campaign ? `Edit “${campaign.name}”` : `New ${noun}`}</h3>
        <label for={id('name')}>Name</label>
        <input
          id={id('name')}
          value={d.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
          aria-invalid={err('name') ? 'true' : undefined}
        />
        <FieldError id={id('name-error')} text={err('name')} />

        {broadcast ? (
          <p class="hint">
            A broadcast goes out when you press “Send…” in the list (or call its triggers route).
          </p>
        ) : (
          <fieldset class="radios">
            <legend>Trigger: send when someone…</legend>
            <label class="check">
              <input
                type="radio"
                name={id('trigger')}
                checked={d.triggerKind === 'event'}
                onChange={() => set({ triggerKind: 'event' })}
              />
              does an event
            </label>
            {d.triggerKind === 'event' ? (
              <div class="indent stack">
                <label for={id('event')}>Event name</label>
                <input
                  id={id('event')}
                  placeholder="e.g. purchase"
                  value={d.triggerEvent}
                  onInput={(e) => set({ triggerEvent: e.currentTarget.value })}
                  aria-invalid={err('triggerEvent') ? 'true' : undefined}
                />
                <FieldError id={id('event-error')} text={err('triggerEvent')} />
              </div>
            ) : null}
            <label class="check">
              <input
                type="radio"
                name={id('trigger')}
                checked={d.triggerKind === 'segment'}
                onChange={() => set({ triggerKind: 'segment' })}
              />
              enters a segment
            </label>
            {d.triggerKind === 'segment' ? (
              <div class="indent stack">
                <label for={id('trigger-segment')}>Segment</label>
                <select
                  id={id('trigger-segment')}
                  value={String(d.triggerSegment)}
                  onChange={(e) => set({ triggerSegment: Number(e.currentTarget.value) })}
                  aria-invalid={err('triggerSegment') ? 'true' : undefined}
                >
                  <option value="0">Choose a segment…</option>
                  {segments
                    .filter((s) => s.type === 'dynamic' || s.id === d.triggerSegment)
                    .map((s) => (
                      <option key={s.id} value={String(s.id)}>
                        {s.name}
                      </option>
                    ))}
                </select>
                <p class="hint">Only dynamic segments: entering a manual one does not trigger campaigns.</p>
                <FieldError id={id('trigger-segment-error')} text={err('triggerSegment')} />
              </div>
            ) : null}
            {d.objectTrigger ? (
              <label class="check">
                <input
                  type="radio"
                  name={id('trigger')}
                  checked={d.triggerKind === 'object'}
                  onChange={() => set({ triggerKind: 'object' })}
                />
                changes an object (as set through the API; kept as it is)
              </label>
            ) : null}
          </fieldset>
        )}

        <fieldset class="radios">
          <legend>Audience: send to…</legend>
          <label class="check">
            <input
              type="radio"
              name={id('audience')}
              checked={d.audience === 'everyone'}
              onChange={() => set({ audience: 'everyone' })}
            />
            {broadcast ? 'everyone' : 'whoever triggers it'}
          </label>
          <label class="check">
            <input
              type="radio"
              name={id('audience')}
              checked={d.audience === 'segment'}
              onChange={() => set({ audience: 'segment' })}
            />
            people in a segment
          </label>
          {d.audience === 'segment' ? (
            <div class="indent stack">
              <label for={id('audience-segment')}>Segment</label>
              <select
                id={id('audience-segment')}
                value={String(d.audienceSegment)}
                onChange={(e) => set({ audienceSegment: Number(e.currentTarget.value) })}
                aria-invalid={err('audienceSegment') ? 'true' : undefined}
              >
                <option value="0">Choose a segment…</option>
                {segments.map((s) => (
                  <option key={s.id} value={String(s.id)}>
                    {s.name}
                  </option>
                ))}
              </select>
              <FieldError id={id('audience-segment-error')} text={err('audienceSegment')} />
            </div>
          ) : null}
          <label class="check">
            <input
              type="radio"
              name={id('audience')}
              checked={d.audience === 'conditions'}
              onChange={() => set({ audience: 'conditions' })}
            />
            people who match conditions
          </label>
        </fieldset>
        {d.audience === 'conditions' ? (
          <>
            <ConditionBuilder
              value={d.conditions}
              onChange={(conditions) => set({ conditions })}
              segments={segments}
              errors={rowErrors}
              idPrefix="camp-cond"
            />
            <FieldError id={id('conditions-error')} text={err('conditions')} />
          </>
        ) : null}

        <fieldset class="radios">
          <legend>Action: send…</legend>
          <label class="check">
            <input
              type="radio"
              name={id('action')}
              checked={!webhook}
              onChange={() => set({ action: 'push' })}
            />
            a push
          </label>
          <label class="check">
            <input
              type="radio"
              name={id('action')}
              checked={webhook}
              onChange={() => set({ action: 'webhook' })}
            />
            a webhook request
          </label>
        </fieldset>
        {webhook ? (
          <WebhookActionFields
            value={d.webhook}
            onChange={(w) => set({ webhook: w })}
            errors={{ url: err('webhookUrl'), headers: err('webhookHeaders'), body: err('webhookBody') }}
            idPrefix={id('webhook')}
          />
        ) : (
          <>
            <fieldset class="radios">
              <legend>Message</legend>
              <label class="check">
                <input
                  type="radio"
                  name={id('tpl')}
                  checked={d.templateMode === 'stored'}
                  onChange={() => set({ templateMode: 'stored' })}
                />
                a saved template
              </label>
              {d.templateMode === 'stored' ? (
                <div class="indent stack">
                  <label for={id('template')}>Template</label>
                  <select
                    id={id('template')}
                    value={String(d.templateId)}
                    onChange={(e) => set({ templateId: Number(e.currentTarget.value) })}
                    aria-invalid={err('templateId') ? 'true' : undefined}
                  >
                    <option value="0">Choose a template…</option>
                    {templates.map((t) => (
                      <option key={t.id} value={String(t.id)}>
                        {t.name}
                      </option>
                    ))}
                  </select>
                  <FieldError id={id('template-id-error')} text={err('templateId')} />
                </div>
              ) : null}
              <label class="check">
                <input
                  type="radio"
                  name={id('tpl')}
                  checked={d.templateMode === 'inline'}
                  onChange={() => set({ templateMode: 'inline' })}
                />
                written here
              </label>
            </fieldset>
            {d.templateMode === 'inline' ? (
              <TemplateFields
                value={d.template}
                onChange={(template) => set({ template })}
                idPrefix={id('tpl')}
              />
            ) : null}
            <FieldError id={id('template-error')} text={err('template')} />
          </>
        )}

        <fieldset class="schedule">
          <legend>Schedule: send after the {broadcast ? 'broadcast is sent' : 'trigger'}</legend>
          <div class="inline">
            <label for={id('delay')}>Wait</label>
            <input
              id={id('delay')}
              type="number"
              min={0}
              step={1}
              class="narrow"
              value={String(d.delayAmount)}
              onInput={(e) => set({ delayAmount: Number(e.currentTarget.value) })}
              aria-describedby={id('delay-hint')}
              aria-invalid={err('delayAmount') ? 'true' : undefined}
            />
            <select
              aria-label="Wait unit"
              value={d.delayUnit}
              onChange={(e) => set({ delayUnit: e.currentTarget.value as DelayUnit })}
            >
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
          </div>
          <p class="hint" id={id('delay-hint')}>
            0 sends at once; at most 90 days.
          </p>
          <FieldError id={id('delay-error')} text={err('delayAmount')} />
        </fieldset>

        <label class="check">
          <input
            type="checkbox"
            checked={d.active}
            onChange={(e) => set({ active: e.currentTarget.checked })}
          />
          Active {broadcast ? '(can be sent)' : '(sends when triggered; untick to pause)'}
        </label>

        <div class="inline form-actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : campaign ? `Save ${noun}` : `Create ${noun}`}
          </button>
          <button type="button" onClick={onCancel}>
            Close
          </button>
        </div>
        {tried && Object.keys(found).length ? (
          <p class="notice error" role="alert">
            Not saved: {Object.values(found)[0]}
          </p>
        ) : null}
        {failure ? <ErrorBox error={failure} what="Not saved" /> : null}
        {saved ? (
          <p class="notice ok" role="status">
            Saved.
          </p>
        ) : null}
      </form>
      <PreviewPanel
        idPrefix="camp-preview"
        data={broadcast ? 'trigger' : d.triggerKind === 'event' ? 'event' : 'trigger'}
        devices={!webhook}
      >
        {(p) =>
          webhook ? (
            <WebhookPreview
              action={webhookAction}
              problem={webhookProblem(d.webhook)?.text ?? null}
              p={p}
              campaign={current}
            />
          ) : (
            <PushPreview
              template={previewTemplate}
              cioId={p.cioId}
              deviceToken={p.device}
              event={p.event}
              trigger={p.trigger}
            />
          )
        }
      </PreviewPanel>
    </div>
  );
}

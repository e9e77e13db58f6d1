import type { AppCustomer, SendPushBody } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Empty } from '../components/empty';
import { ErrorBox } from '../components/error-box';
import { JsonField } from '../components/json-field';
import { Link } from '../components/link';
import { Loading } from '../components/loading';
import { Notice, type Outcome } from '../components/notice';
import { PushPreview } from '../components/push-preview';
import { TemplateFields } from '../components/template-fields';
import { useTemplates } from '../data/use-templates';
import type { TemplateDraft } from '../models/campaign-form';
import { errorMessage, platformName, shortToken } from '../models/format';
import { parseJsonObject } from '../models/json-object';

/** Sends this person a push from a template, previewed live with their attributes and trigger data. */
export function TestPushCard({ c, onSent }: { c: AppCustomer; onSent: () => void }) {
  const templates = useTemplates();
  const [templateId, setTemplateId] = useState('');
  const [to, setTo] = useState('all');
  const [draft, setDraft] = useState<TemplateDraft>({ title: '', message: '' });
  const [triggerText, setTriggerText] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const trigger = parseJsonObject(triggerText);
  const cioId = c.identifiers.cio_id;

  const pick = (id: string) => {
    setTemplateId(id);
    const t = templates.data?.find((x) => String(x.id) === id);
    if (t) setDraft({ title: t.title, message: t.message, image_url: t.image_url ?? '', link: t.link ?? '' });
  };

  const send = async (e: Event) => {
    e.preventDefault();
    if (!trigger.ok) return;
    setBusy(true);
    setOutcome(null);
    try {
      const body: SendPushBody = {
        identifiers: { cio_id: cioId },
        transactional_message_id: Number(templateId),
        to,
        title: draft.title,
        message: draft.message,
      };
      if (draft.image_url) body.image_url = draft.image_url;
      if (draft.link) body.link = draft.link;
      if (trigger.value) body.message_data = trigger.value;
      const r = await App.sendPush(body);
      setOutcome({
        ok: true,
        text: `Queued: delivery ${shortToken(r.delivery_id)}. It appears under Messages.`,
      });
      onSent();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="h-push">
      <h2 id="h-push">Send a test push</h2>
      {templates.error ? (
        <ErrorBox error={templates.error} retry={templates.reload} what="Push templates" />
      ) : !templates.data ? (
        <Loading label="Loading templates…" />
      ) : templates.data.length === 0 ? (
        <Empty>
          No push templates yet. <Link href="/messages">Create one in Messages</Link>.
        </Empty>
      ) : c.devices.length === 0 ? (
        <Empty>This person has no devices to push to.</Empty>
      ) : (
        <form onSubmit={send} class="stack">
          <label for="push-template">Template</label>
          <select
            id="push-template"
            value={templateId}
            onChange={(e) => pick(e.currentTarget.value)}
            required
          >
            <option value="">Choose…</option>
            {templates.data.map((t) => (
              <option key={t.id} value={String(t.id)}>
                {t.name}
              </option>
            ))}
          </select>
          <label for="push-to">Device</label>
          <select id="push-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
            <option value="all">All devices ({c.devices.length})</option>
            <option value="last_used">The last used</option>
            {c.devices.map((d) => (
              <option key={d.id} value={d.id}>
                {platformName(d.platform)} {d.attributes?.device_model ?? ''} · {shortToken(d.id)}
              </option>
            ))}
          </select>
          {templateId ? (
            <>
              <TemplateFields value={draft} onChange={setDraft} idPrefix="push" />
              <JsonField
                id="push-trigger"
                label="Trigger data (JSON, optional)"
                hint="Fills {{ trigger.* }} in the template, as message_data does for /v1/send/push."
                placeholder='{"code": "WELCOME10"}'
                value={triggerText}
                onInput={setTriggerText}
              />
              <PushPreview
                template={draft}
                cioId={cioId}
                deviceToken={to === 'all' || to === 'last_used' ? undefined : to}
                trigger={trigger.ok ? trigger.value : undefined}
              />
              <button type="submit" class="primary" disabled={busy || !trigger.ok}>
                {busy ? 'Sending…' : 'Send test push'}
              </button>
            </>
          ) : null}
          <Notice outcome={outcome} />
        </form>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import {
  App,
  ApiError,
  findPeople,
  templateList,
  type Campaign,
  type Customer,
  type IdType,
  type Template,
} from '../api';
import { Link, num, useAsync, useDebounced, usePaged } from '../lib';
import { Async, Badge, Empty, ErrorBox, MessageStatus, PagedList, PageTitle, Time } from '../ui';
import { personLabel } from './people';

export interface TemplateDraft {
  title: string;
  message: string;
  image_url?: string;
  link?: string;
}

export function useTemplates() {
  return useAsync((s) => App.templates(s).then(templateList), []);
}

export function TemplateFields({
  value,
  onChange,
  idPrefix,
}: {
  value: TemplateDraft;
  onChange: (t: TemplateDraft) => void;
  idPrefix: string;
}) {
  const field = (k: keyof TemplateDraft, label: string, multiline = false, hint?: string) => (
    <>
      <label for={`${idPrefix}-${k}`}>{label}</label>
      {multiline ? (
        <textarea
          id={`${idPrefix}-${k}`}
          rows={3}
          value={value[k] ?? ''}
          onInput={(e) => onChange({ ...value, [k]: e.currentTarget.value })}
          aria-describedby={hint ? `${idPrefix}-${k}-hint` : undefined}
        />
      ) : (
        <input
          id={`${idPrefix}-${k}`}
          value={value[k] ?? ''}
          onInput={(e) => onChange({ ...value, [k]: e.currentTarget.value })}
          aria-describedby={hint ? `${idPrefix}-${k}-hint` : undefined}
        />
      )}
      {hint ? (
        <p class="hint" id={`${idPrefix}-${k}-hint`}>
          {hint}
        </p>
      ) : null}
    </>
  );
  return (
    <>
      {field('title', 'Title', false)}
      {field(
        'message',
        'Message',
        true,
        'Liquid: {{ customer.first_name | default: "there" }}, {{ device.platform }}, {{ event.name }}, {{ trigger.x }}',
      )}
      {field('image_url', 'Image URL (optional)')}
      {field('link', 'Link (optional)')}
    </>
  );
}

/** Renders the template for a person (and device) on the server, as the person would receive it. */
export function PushPreview({
  template,
  customer,
  deviceToken,
  event,
}: {
  template: TemplateDraft;
  customer: { customer_id: string; id_type: IdType } | null;
  deviceToken?: string;
  event?: unknown;
}) {
  const input = useDebounced(JSON.stringify({ template, customer, deviceToken, event }), 300);
  const state = useAsync(
    async (signal) => {
      if (!customer) return null;
      const t: TemplateDraft = { title: template.title, message: template.message };
      if (template.image_url) t.image_url = template.image_url;
      if (template.link) t.link = template.link;
      const body: Parameters<typeof App.preview>[0] = { template: t, ...customer };
      if (deviceToken) body.device_token = deviceToken;
      if (event !== undefined) body.event = event;
      return (await App.preview(body, signal)).rendered;
    },
    [input],
  );
  return (
    <div class="preview" aria-live="polite" data-testid="preview">
      <p class="preview-label">Preview</p>
      {!customer ? (
        <p class="muted small">Choose a person to preview with their attributes.</p>
      ) : state.error ? (
        state.error instanceof ApiError && state.error.status === 400 ? (
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
            {state.data.link ? <p class="small muted">→ {String(state.data.link)}</p> : null}
          </div>
          {state.data.image_url ? <img src={String(state.data.image_url)} alt="" class="n-image" /> : null}
        </div>
      ) : (
        <p class="muted small">Rendering…</p>
      )}
    </div>
  );
}

export function Messages() {
  return (
    <section>
      <PageTitle>Messages</PageTitle>
      <Templates />
      <Campaigns />
      <RecentMessages />
    </section>
  );
}

// ---- Templates --------------------------------------------------------------------------------

function Templates() {
  const templates = useTemplates();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  return (
    <section class="card" aria-labelledby="h-templates">
      <div class="row-between">
        <h2 id="h-templates">Push templates</h2>
        <button type="button" onClick={() => setEditing('new')}>
          New template
        </button>
      </div>
      <Async state={templates} what="Templates">
        {(list) =>
          list.length === 0 && editing === null ? (
            <Empty>
              No transactional push templates yet. Create one to send pushes with the App API or from a
              person’s page.
            </Empty>
          ) : (
            <ul class="plain tabs" role="list">
              {list.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    class={`linkish${editing !== 'new' && editing?.id === t.id ? ' selected' : ''}`}
                    aria-pressed={editing !== 'new' && editing?.id === t.id}
                    onClick={() => setEditing(t)}
                  >
                    <strong>{t.name}</strong>{' '}
                    <span class="muted small">
                      #{t.id} · {t.title}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
      {editing ? (
        <TemplateEditor
          key={editing === 'new' ? 'new' : String(editing.id)}
          template={editing === 'new' ? null : editing}
          onSaved={(t) => {
            templates.reload();
            setEditing(t);
          }}
        />
      ) : null}
    </section>
  );
}

function TemplateEditor({
  template,
  onSaved,
}: {
  template: Template | null;
  onSaved: (t: Template) => void;
}) {
  const [name, setName] = useState(template?.name ?? '');
  const [draft, setDraft] = useState<TemplateDraft>({
    title: template?.title ?? 'Hello {{ customer.first_name | default: "there" }}',
    message: template?.message ?? 'Your {{ device.platform }} device says hi.',
    image_url: template?.image_url ?? '',
    link: template?.link ?? '',
  });
  const [status, setStatus] = useState<{ ok: boolean; text: string; error?: unknown } | null>(null);
  const [who, setWho] = useState('');
  const [person, setPerson] = useState<Customer | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [device, setDevice] = useState('');
  const [eventText, setEventText] = useState('');

  const event = (() => {
    if (!eventText.trim()) return undefined;
    try {
      return JSON.parse(eventText) as unknown;
    } catch {
      return undefined;
    }
  })();

  const findPerson = async (e: Event) => {
    e.preventDefault();
    setLookupError(null);
    try {
      const ids = (await findPeople(who))[0];
      if (!ids) {
        setPerson(null);
        setLookupError(`Nobody has the id, email or cio_id “${who}”.`);
        return;
      }
      const c = (await App.customer(ids.cio_id)).customer;
      setPerson(c);
      setDevice(c.devices[0]?.id ?? '');
    } catch (err) {
      setLookupError(err instanceof Error ? err.message : String(err));
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus(null);
    try {
      const body = {
        name,
        title: draft.title,
        message: draft.message,
        image_url: draft.image_url || null,
        link: draft.link || null,
      };
      const r = template ? await App.updateTemplate(template.id, body) : await App.createTemplate(body);
      const saved = (Object.values(r)[0] as Template | undefined) ?? { ...body, id: template?.id ?? '' };
      setStatus({ ok: true, text: 'Saved.' });
      onSaved(saved);
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err), error: err });
    }
  };

  const cio = person?.identifiers?.cio_id ?? person?.attributes.cio_id;
  return (
    <div class="editor-grid">
      <form
        onSubmit={save}
        class="stack"
        aria-label={template ? `Edit template ${template.name}` : 'New template'}
      >
        <h3>{template ? `Edit “${template.name}”` : 'New template'}</h3>
        <label for="tpl-name">Name</label>
        <input id="tpl-name" value={name} required onInput={(e) => setName(e.currentTarget.value)} />
        <TemplateFields value={draft} onChange={setDraft} idPrefix="tpl" />
        <button type="submit" class="primary">
          {template ? 'Save template' : 'Create template'}
        </button>
        {status ? (
          status.error instanceof ApiError && status.error.missingRoute ? (
            <ErrorBox error={status.error} what="Saving templates" />
          ) : (
            <p class={`notice ${status.ok ? 'ok' : 'error'}`} role={status.ok ? 'status' : 'alert'}>
              {status.text}
            </p>
          )
        ) : null}
      </form>
      <div class="stack">
        <h3>Preview for a person</h3>
        <form class="inline" onSubmit={findPerson}>
          <label for="preview-who" class="sr-only">
            Person (id, email or cio_id)
          </label>
          <input
            id="preview-who"
            placeholder="id, email or cio_id"
            value={who}
            onInput={(e) => setWho(e.currentTarget.value)}
          />
          <button type="submit">Use person</button>
        </form>
        {lookupError ? (
          <p class="notice error" role="alert">
            {lookupError}
          </p>
        ) : null}
        {person && cio ? (
          <>
            <p class="small">
              Previewing for{' '}
              <Link href={`/people/${encodeURIComponent(cio)}`}>{personLabel(person.identifiers)}</Link>
            </p>
            <label for="preview-device">Device</label>
            <select id="preview-device" value={device} onChange={(e) => setDevice(e.currentTarget.value)}>
              <option value="">No device</option>
              {person.devices.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.platform} {d.attributes?.device_model ?? ''} …{d.id.slice(-8)}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label for="preview-event">Event data (JSON, optional)</label>
        <textarea
          id="preview-event"
          rows={2}
          placeholder='{"name": "purchase", "total": 42}'
          value={eventText}
          onInput={(e) => setEventText(e.currentTarget.value)}
          aria-invalid={eventText.trim() && event === undefined ? 'true' : undefined}
        />
        {eventText.trim() && event === undefined ? <p class="hint">Not valid JSON yet.</p> : null}
        <PushPreview
          template={draft}
          customer={cio ? { customer_id: cio, id_type: 'cio_id' } : null}
          deviceToken={device || undefined}
          event={event}
        />
      </div>
    </div>
  );
}

// ---- Campaigns and broadcasts -----------------------------------------------------------------

function Campaigns() {
  const state = useAsync((s) => App.campaigns(s).then((r) => r.campaigns), []);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const trigger = async (c: Campaign) => {
    setNotice(null);
    try {
      const r = await App.triggerBroadcast(c.id, {});
      setNotice({ ok: true, text: `Triggered “${c.name}” (trigger ${r.id}).` });
      state.reload();
    } catch (err) {
      setNotice({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <section class="card" aria-labelledby="h-campaigns">
      <h2 id="h-campaigns">Campaigns and broadcasts</h2>
      <Async state={state} what="Campaigns">
        {(list) =>
          list.length === 0 ? (
            <Empty>No campaigns or broadcasts yet.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Sent
                    </th>
                    <th scope="col" class="num">
                      Delivered
                    </th>
                    <th scope="col" class="num">
                      Opened
                    </th>
                    <th scope="col" class="num">
                      Bounced
                    </th>
                    <th scope="col" class="num">
                      Failed
                    </th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        {c.name}
                        {c.trigger ? (
                          <div class="muted small">
                            {typeof c.trigger === 'string' ? c.trigger : JSON.stringify(c.trigger)}
                          </div>
                        ) : null}
                      </th>
                      <td>{c.type}</td>
                      <td>
                        {c.state ? (
                          <Badge tone={c.state === 'running' || c.state === 'active' ? 'good' : 'neutral'}>
                            {c.state}
                          </Badge>
                        ) : (
                          '—'
                        )}
                      </td>
                      {(['sent', 'delivered', 'opened', 'bounced', 'failed'] as const).map((m) => (
                        <td key={m} class="num">
                          {num(c.metrics?.[m] ?? 0)}
                        </td>
                      ))}
                      <td>
                        {c.type === 'broadcast' ? (
                          <button type="button" class="small" onClick={() => void trigger(c)}>
                            Trigger
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
      {notice ? (
        <p class={`notice ${notice.ok ? 'ok' : 'error'}`} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      ) : null}
    </section>
  );
}

function RecentMessages() {
  const state = usePaged(
    (start, s) => App.messages({ start, limit: 25 }, s).then((r) => ({ items: r.messages, next: r.next })),
    [],
  );
  return (
    <section class="card" aria-labelledby="h-deliveries">
      <h2 id="h-deliveries">Recent deliveries</h2>
      <PagedList state={state} what="Deliveries" empty="No messages have been sent yet.">
        {(items) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Type</th>
                  <th scope="col">Recipient</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row">
                      {m.customer_identifiers ? (
                        <Link href={`/people/${encodeURIComponent(m.customer_identifiers.cio_id)}`}>
                          {personLabel(m.customer_identifiers)}
                        </Link>
                      ) : (
                        <span class="muted">deleted person</span>
                      )}
                    </th>
                    <td>{m.type}</td>
                    <td>
                      <code class="small">{m.recipient ? `…${m.recipient.slice(-10)}` : '—'}</code>
                    </td>
                    <td>
                      <Time unix={m.created} />
                    </td>
                    <td>
                      <MessageStatus metrics={m.metrics} failure={m.failure_message} />
                      {m.failure_message ? <div class="small muted">{m.failure_message}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </PagedList>
    </section>
  );
}

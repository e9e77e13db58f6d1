import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { App, ApiError, type Activity, type Customer, type ExplainNode, type Segment } from '../api';
import { describe } from '../conditions';
import { Link, useAsync, usePaged } from '../lib';
import {
  Async,
  AttrValue,
  Badge,
  Empty,
  ErrorBox,
  Json,
  Loading,
  MessageStatus,
  PagedList,
  PageTitle,
  statusTone,
  Time,
} from '../ui';
import { personLabel } from './people';
import { PushPreview, TemplateFields, useTemplates, type TemplateDraft } from './messages';

export function Person({ cioId }: { cioId: string }) {
  const customer = useAsync((s) => App.customer(cioId, s).then((r) => r.customer), [cioId]);
  const [timelineTick, setTimelineTick] = useState(0);

  if (customer.error instanceof ApiError && customer.error.status === 404 && !customer.error.missingRoute) {
    return (
      <section>
        <PageTitle>Person not found</PageTitle>
        <Empty>
          Nobody with cio_id <code>{cioId}</code> exists in this workspace (they may have been deleted or
          merged). <Link href="/people">Back to People</Link>
        </Empty>
      </section>
    );
  }

  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/people">People</Link> <span aria-hidden="true">/</span>
      </nav>
      <Async state={customer} what="Profile" label="Loading profile…">
        {(c) => (
          <>
            <PageTitle
              actions={
                c.unsubscribed ? (
                  <Badge tone="warn">Unsubscribed</Badge>
                ) : (
                  <Badge tone="good">Subscribed</Badge>
                )
              }
            >
              {personLabel(c.identifiers ?? { id: c.id, email: c.attributes.email ?? null, cio_id: cioId })}
            </PageTitle>
            <div class="grid">
              <div class="col">
                <IdentifiersCard c={c} cioId={cioId} />
                <AttributesCard c={c} />
                <DevicesCard c={c} />
              </div>
              <div class="col">
                <SegmentsCard cioId={cioId} />
                <TestPushCard c={c} cioId={cioId} onSent={() => setTimelineTick((t) => t + 1)} />
                <MessagesCard cioId={cioId} tick={timelineTick} />
              </div>
            </div>
            <Timeline cioId={cioId} tick={timelineTick} />
          </>
        )}
      </Async>
    </section>
  );
}

function IdentifiersCard({ c, cioId }: { c: Customer; cioId: string }) {
  const ids = c.identifiers ?? { id: c.id, email: c.attributes.email ?? null, cio_id: cioId };
  return (
    <section class="card" aria-labelledby="h-ids">
      <h2 id="h-ids">Identifiers</h2>
      <dl class="kv" data-testid="identifiers">
        <dt>id</dt>
        <dd>{ids.id ?? <span class="muted">—</span>}</dd>
        <dt>email</dt>
        <dd>{ids.email ?? <span class="muted">—</span>}</dd>
        <dt>cio_id</dt>
        <dd>
          <code>{ids.cio_id}</code>
        </dd>
      </dl>
    </section>
  );
}

const HIDDEN_ATTRS = new Set(['id', 'email', 'cio_id']);

function AttributesCard({ c }: { c: Customer }) {
  const names = Object.keys(c.attributes)
    .filter((k) => !HIDDEN_ATTRS.has(k))
    .sort();
  return (
    <section class="card" aria-labelledby="h-attrs">
      <h2 id="h-attrs">Attributes ({names.length})</h2>
      {names.length === 0 ? (
        <Empty>No attributes yet.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="attrs" data-testid="attributes">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {names.map((k) => (
                <tr key={k}>
                  <th scope="row">
                    <code>{k}</code>
                  </th>
                  <td>
                    <AttrValue value={c.attributes[k]!} />
                  </td>
                  <td class="nowrap">
                    <Time unix={c.timestamps?.[k]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DevicesCard({ c }: { c: Customer }) {
  return (
    <section class="card" aria-labelledby="h-devices">
      <h2 id="h-devices">Devices ({c.devices.length})</h2>
      {c.devices.length === 0 ? (
        <Empty>No devices. Devices appear when the app registers a push token.</Empty>
      ) : (
        <ul class="devices" data-testid="devices">
          {c.devices.map((d) => {
            const a = d.attributes ?? {};
            const status = a._last_status ?? '';
            return (
              <li key={d.id} class="device">
                <div class="device-head">
                  <strong class="platform">{d.platform}</strong>
                  <code class="token" title={d.id}>
                    {d.id.length > 28 ? `${d.id.slice(0, 12)}…${d.id.slice(-10)}` : d.id}
                  </code>
                </div>
                <dl class="kv compact">
                  <dt>OS</dt>
                  <dd>{a.device_os ?? '—'}</dd>
                  <dt>Model</dt>
                  <dd>{a.device_model ?? '—'}</dd>
                  <dt>App version</dt>
                  <dd>{a.app_version ?? '—'}</dd>
                  <dt>Push enabled</dt>
                  <dd>
                    {a.push_enabled ? <Badge tone={statusTone(a.push_enabled)}>{a.push_enabled}</Badge> : '—'}
                  </dd>
                  <dt>Last used</dt>
                  <dd>
                    <Time unix={d.last_used} />
                  </dd>
                  <dt>Last status</dt>
                  <dd>
                    <Badge tone={statusTone(status)}>{status || 'unused'}</Badge>
                  </dd>
                  {Object.entries(a)
                    .filter(
                      ([k]) =>
                        ![
                          'device_os',
                          'device_model',
                          'app_version',
                          'push_enabled',
                          '_last_status',
                        ].includes(k),
                    )
                    .map(([k, v]) => (
                      <>
                        <dt key={`k-${k}`}>{k}</dt>
                        <dd key={`v-${k}`}>{v}</dd>
                      </>
                    ))}
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function SegmentsCard({ cioId }: { cioId: string }) {
  const state = useAsync((s) => App.customerSegments(cioId, s).then((r) => r.segments), [cioId]);
  const all = useAsync((s) => App.segments(s).then((r) => r.segments), []);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section class="card" aria-labelledby="h-segs">
      <h2 id="h-segs">Segments</h2>
      <Async state={state} what="Segments">
        {(segs) =>
          segs.length === 0 ? (
            <Empty>Not in any segment.</Empty>
          ) : (
            <ul class="plain" data-testid="person-segments">
              {segs.map((s) => (
                <li key={s.id}>
                  <div class="row-between">
                    <Link href={`/segments/${s.id}`}>{s.name}</Link>
                    <button
                      type="button"
                      class="small"
                      aria-expanded={open === s.id}
                      onClick={() => setOpen(open === s.id ? null : s.id)}
                    >
                      {open === s.id ? 'Hide why' : 'Why?'}
                    </button>
                  </div>
                  {open === s.id ? <Explain segment={s} cioId={cioId} segments={all.data ?? []} /> : null}
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

function Explain({ segment, cioId, segments }: { segment: Segment; cioId: string; segments: Segment[] }) {
  const state = useAsync((s) => App.explain(segment.id, cioId, s), [segment.id, cioId]);
  if (state.error instanceof ApiError && state.error.missingRoute) {
    return (
      <div class="explain">
        <ErrorBox error={state.error} what="Explanations" />
        {segment.type === 'manual' ? (
          <p class="small muted">
            “{segment.name}” is a manual segment: people are added to it through the Track API.
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <div class="explain" data-testid="explain">
      <Async state={state} what="Explanation" label="Explaining…">
        {(r) => (
          <>
            <p class="small">
              {r.result ? <Badge tone="good">matches</Badge> : <Badge tone="bad">does not match</Badge>}{' '}
              {segment.name}
            </p>
            {r.tree ? (
              <ExplainTree node={r.tree} segments={segments} />
            ) : (
              <p class="small muted">A manual segment: people are added and removed through the Track API.</p>
            )}
          </>
        )}
      </Async>
    </div>
  );
}

function ExplainTree({ node, segments }: { node: ExplainNode; segments: Segment[] }) {
  return (
    <ul class="tree">
      <li>
        <span class={node.result ? 'yes' : 'no'} role="img" aria-label={node.result ? 'true' : 'false'}>
          {node.result ? '✓' : '✗'}
        </span>{' '}
        {describeShallow(node.node, segments)}
        <Seen seen={node.seen} />
        {node.children?.map((c, i) => (
          <ExplainTree key={i} node={c} segments={segments} />
        ))}
      </li>
    </ul>
  );
}

/** What the server looked at: a value, or the person's devices with each one's result. */
function Seen({ seen }: { seen: unknown }) {
  if (seen === undefined) return null;
  const devices = (seen as { devices?: Array<{ id: string; platform: string; result: boolean }> } | null)
    ?.devices;
  if (Array.isArray(devices)) {
    return (
      <span class="muted small">
        {' '}
        — devices:{' '}
        {devices.map((d, i) => (
          <span key={d.id}>
            {i ? ', ' : ''}
            {d.platform} …{d.id.slice(-6)} {d.result ? '✓' : '✗'}
          </span>
        ))}
      </span>
    );
  }
  return (
    <span class="muted small">
      {' '}
      — seen: {seen === null ? '(nothing)' : typeof seen === 'string' ? `“${seen}”` : JSON.stringify(seen)}
    </span>
  );
}

const GROUP_WORDS: Record<string, string> = {
  and: 'all of',
  or: 'any of',
  not: 'not',
  device: 'has a device where',
  event: 'did the event',
  segment: 'in segment',
};

/** A group's own reading ("all of" / "any of" / "not") without repeating its children. */
function describeShallow(n: unknown, segments: Segment[]): string {
  if (typeof n === 'string') return GROUP_WORDS[n] ?? n;
  if (n && typeof n === 'object') {
    if ('and' in n) return 'all of';
    if ('or' in n) return 'any of';
    if ('not' in n) return 'not';
    if ('device' in n) return 'has a device where';
  }
  return describe(n, segments);
}

// ---- Test push -------------------------------------------------------------------------------

function TestPushCard({ c, cioId, onSent }: { c: Customer; cioId: string; onSent: () => void }) {
  const templates = useTemplates();
  const [templateId, setTemplateId] = useState<string>('');
  const [to, setTo] = useState('all');
  const [draft, setDraft] = useState<TemplateDraft>({ title: '', message: '' });
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = (id: string) => {
    setTemplateId(id);
    const t = templates.data?.find((x) => String(x.id) === id);
    if (t) setDraft({ title: t.title, message: t.message, image_url: t.image_url ?? '', link: t.link ?? '' });
  };

  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const body: Record<string, unknown> = {
        identifiers: { cio_id: cioId },
        transactional_message_id: /^\d+$/.test(templateId) ? Number(templateId) : templateId,
        to,
        title: draft.title,
        message: draft.message,
      };
      if (draft.image_url) body.image_url = draft.image_url;
      if (draft.link) body.link = draft.link;
      const r = await App.sendPush(body);
      setResult({ ok: true, text: `Queued: delivery ${r.delivery_id}` });
      onSent();
    } catch (err) {
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err) });
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
            <option value="last_used">Last used</option>
            {c.devices.map((d) => (
              <option key={d.id} value={d.id}>
                {d.platform} {d.attributes?.device_model ?? ''} …{d.id.slice(-8)}
              </option>
            ))}
          </select>
          {templateId ? (
            <>
              <TemplateFields value={draft} onChange={setDraft} idPrefix="push" />
              <PushPreview
                template={draft}
                customer={{ customer_id: cioId, id_type: 'cio_id' }}
                deviceToken={to === 'all' || to === 'last_used' ? c.devices[0]?.id : to}
              />
              <button type="submit" class="primary" disabled={busy}>
                {busy ? 'Sending…' : 'Send test push'}
              </button>
            </>
          ) : null}
          {result ? (
            <p class={`notice ${result.ok ? 'ok' : 'error'}`} role={result.ok ? 'status' : 'alert'}>
              {result.text}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

function MessagesCard({ cioId, tick }: { cioId: string; tick: number }) {
  const state = useAsync((s) => App.customerMessages(cioId, s).then((r) => r.messages), [cioId, tick]);
  return (
    <section class="card" aria-labelledby="h-msgs">
      <h2 id="h-msgs">Messages</h2>
      <Async state={state} what="Messages">
        {(msgs) =>
          msgs.length === 0 ? (
            <Empty>No messages sent to this person.</Empty>
          ) : (
            <ul class="plain">
              {msgs.map((m) => (
                <li key={m.id} class="row-between">
                  <span>
                    {m.type} <code class="small">{m.id.slice(0, 10)}…</code> <Time unix={m.created} />
                  </span>
                  <MessageStatus metrics={m.metrics} failure={m.failure_message} />
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </section>
  );
}

// ---- Timeline --------------------------------------------------------------------------------

const TIMELINE_FILTERS: Array<{ value: string; label: string }> = [
  { value: '', label: 'Everything' },
  { value: 'attribute_change', label: 'Attribute changes' },
  { value: 'event', label: 'Events' },
  { value: 'device_change', label: 'Devices' },
  { value: 'screen', label: 'Screens' },
  { value: 'page', label: 'Pages' },
  { value: 'entered_segment', label: 'Segment entries' },
  { value: 'exited_segment', label: 'Segment exits' },
  { value: 'sent_push', label: 'Pushes sent' },
];

function Timeline({ cioId, tick }: { cioId: string; tick: number }) {
  const [type, setType] = useState('');
  const state = usePaged(
    (start, s) =>
      App.activities(cioId, { limit: 25, type, start }, s).then((r) => ({
        items: r.activities,
        next: r.next,
      })),
    [cioId, type, tick],
  );
  return (
    <section class="card wide" aria-labelledby="h-timeline">
      <div class="row-between">
        <h2 id="h-timeline">Timeline</h2>
        <div class="inline small">
          <label for="timeline-type">Show</label>
          <select id="timeline-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {TIMELINE_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <PagedList
        state={state}
        what="Timeline"
        empty={`Nothing has happened to this person${type ? ' of this kind' : ''} yet.`}
      >
        {(items) => (
          <ol class="timeline" data-testid="timeline">
            {items.map((a) => (
              <ActivityItem key={a.id} a={a} />
            ))}
          </ol>
        )}
      </PagedList>
    </section>
  );
}

const show = (v: unknown) =>
  v === null || v === undefined || v === '' ? (
    <span class="muted">(none)</span>
  ) : (
    <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
  );

const TYPE_LABELS: Record<string, string> = {
  profile_create: 'Profile created',
  attribute_change: 'Attributes changed',
  failed_attribute_change: 'Attribute change failed',
  device_change: 'Device',
  event: 'Event',
  page: 'Page view',
  screen: 'Screen view',
  anon_merge: 'Anonymous activity merged',
  profile_merge: 'Profiles merged',
  profile_delete: 'Profile deleted',
  entered_segment: 'Entered segment',
  exited_segment: 'Exited segment',
  sent_push: 'Push sent',
  delivered_push: 'Push delivered',
  opened_push: 'Push opened',
  converted_push: 'Push converted',
  bounced_push: 'Push bounced',
  failed_push: 'Push failed',
  undeliverable_push: 'Push undeliverable',
};

const DEVICE_ACTIONS: Record<string, string> = {
  added: 'Device added',
  updated: 'Device updated',
  moved_in: 'Device moved here',
  moved_out: 'Device moved away',
  deleted: 'Device deleted',
};

export function ActivityItem({ a, withPerson = false }: { a: Activity; withPerson?: boolean }) {
  const data = (a.data ?? {}) as Record<string, unknown>;
  let title = TYPE_LABELS[a.type] ?? a.type;
  let body: ComponentChildren = null;
  switch (a.type) {
    case 'attribute_change':
      body = (
        <ul class="changes">
          {Object.entries(data).map(([k, v]) => {
            const ch = (v ?? {}) as { from?: unknown; to?: unknown };
            return (
              <li key={k}>
                <code>{k}</code>: {show(ch.from)} <span aria-label="changed to">→</span> {show(ch.to)}
              </li>
            );
          })}
        </ul>
      );
      break;
    case 'device_change': {
      title = DEVICE_ACTIONS[String(data.action)] ?? `Device ${String(data.action ?? 'changed')}`;
      const other = (
        data.action === 'moved_in' ? data.from : data.action === 'moved_out' ? data.to : undefined
      ) as { id?: string | null; email?: string | null; cio_id?: string } | undefined;
      const changes = data.changes as Record<string, { from?: unknown; to?: unknown }> | undefined;
      body = (
        <>
          <p>
            {String(data.platform ?? '')} <code class="token">{String(data.token ?? a.name ?? '')}</code>
            {other ? (
              <>
                {' '}
                {data.action === 'moved_in' ? 'from' : 'to'}{' '}
                {other.cio_id ? (
                  <Link href={`/people/${encodeURIComponent(other.cio_id)}`}>
                    {other.email ?? other.id ?? other.cio_id}
                  </Link>
                ) : (
                  'another person'
                )}
              </>
            ) : null}
          </p>
          {changes ? (
            <ul class="changes">
              {Object.entries(changes).map(([k, ch]) => (
                <li key={k}>
                  <code>{k}</code>: {show(ch.from)} → {show(ch.to)}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      );
      break;
    }
    case 'event':
    case 'screen':
    case 'page':
      title = `${TYPE_LABELS[a.type]}: ${a.name ?? a.url ?? ''}`;
      body = Object.keys(data).length ? <Json value={data} /> : null;
      break;
    case 'entered_segment':
    case 'exited_segment':
      body = (
        <p>
          <Link href={`/segments/${String(data.segment_id)}`}>
            {String(data.segment_name ?? a.name ?? `#${String(data.segment_id)}`)}
          </Link>
        </p>
      );
      break;
    case 'profile_create':
      body = null;
      break;
    case 'profile_delete':
      body = <p class="muted">{String(data.reason ?? '')}</p>;
      break;
    default:
      if (a.type.endsWith('_push')) {
        const status = a.type.replace(/_push$/, '');
        title = TYPE_LABELS[a.type] ?? a.type;
        body = (
          <p>
            <Badge tone={statusTone(status)}>{status}</Badge> {a.delivery_type ?? ''} delivery{' '}
            <code class="small">{a.delivery_id ?? String(data.delivery_id ?? '')}</code>
            {data.failure_message ? <span class="muted"> — {String(data.failure_message)}</span> : null}
          </p>
        );
      } else if (Object.keys(data).length) {
        body = <Json value={data} />;
      }
  }
  return (
    <li class={`activity t-${a.type}`}>
      <div class="activity-head">
        <strong>{title}</strong>
        {withPerson && a.customer_identifiers ? (
          <>
            {' · '}
            <Link href={`/people/${encodeURIComponent(a.customer_identifiers.cio_id)}`}>
              {personLabel(a.customer_identifiers)}
            </Link>
          </>
        ) : null}
        <span class="muted small">
          {' '}
          <Time unix={a.timestamp} />
        </span>
      </div>
      {body}
    </li>
  );
}

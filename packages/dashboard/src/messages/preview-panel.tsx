import type { AppCustomer } from '@roster/protocol';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { JsonField } from '../components/json-field';
import { Link } from '../components/link';
import { PersonPicker } from '../components/person-picker';
import { errorMessage, personLabel, platformName, shortToken } from '../models/format';
import { parseJsonObject } from '../models/json-object';

/** Whom and with what data a preview renders. */
export interface PreviewFor {
  cioId: string | null;
  /** The chosen device's token (push previews only). */
  device: string | undefined;
  event: Record<string, unknown> | undefined;
  trigger: Record<string, unknown> | undefined;
  /** Whether both data boxes hold JSON objects (or nothing). */
  dataOk: boolean;
}

/**
 * "Preview for a person": pick someone, one of their devices (for a push), and the data the message
 * will be sent with — `event` (what a triggering event carries) and/or `trigger` (a broadcast's
 * data); `children` renders the message for them (a push, a webhook request).
 */
export function PreviewPanel({
  idPrefix,
  data,
  devices = true,
  children,
}: {
  idPrefix: string;
  /** Which data boxes to offer: an event-triggered campaign has event data, a broadcast trigger data. */
  data: 'event' | 'trigger' | 'both';
  /** Offer the person's devices (a push renders per device; a webhook does not). */
  devices?: boolean;
  children: (p: PreviewFor) => ComponentChildren;
}) {
  const [person, setPerson] = useState<AppCustomer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [device, setDevice] = useState('');
  const [eventText, setEventText] = useState('');
  const [triggerText, setTriggerText] = useState('');
  const event = parseJsonObject(eventText);
  const trigger = parseJsonObject(triggerText);
  const cioId = person?.identifiers.cio_id ?? null;

  return (
    <div class="stack">
      <h3>Preview for a person</h3>
      <PersonPicker
        id={`${idPrefix}-who`}
        onPick={(ids) => {
          setError(null);
          App.customer(ids.cio_id).then(
            (c) => {
              setPerson(c);
              setDevice(c.devices[0]?.id ?? '');
            },
            (err: unknown) => setError(errorMessage(err)),
          );
        }}
      />
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {person && cioId ? (
        <>
          <p class="small">
            Previewing for{' '}
            <Link href={`/people/${encodeURIComponent(cioId)}`}>{personLabel(person.identifiers)}</Link>
          </p>
          {devices ? (
            <>
              <label for={`${idPrefix}-device`}>Device</label>
              <select
                id={`${idPrefix}-device`}
                value={device}
                onChange={(e) => setDevice(e.currentTarget.value)}
              >
                <option value="">No device</option>
                {person.devices.map((d) => (
                  <option key={d.id} value={d.id}>
                    {platformName(d.platform)} {d.attributes?.device_model ?? ''} · {shortToken(d.id)}
                  </option>
                ))}
              </select>
            </>
          ) : null}
        </>
      ) : null}
      {data !== 'trigger' ? (
        <JsonField
          id={`${idPrefix}-event`}
          label="Event data (JSON, optional)"
          hint="Fills {{ event.* }}: what the event that triggers a campaign carries."
          placeholder='{"name": "purchase", "total": 42}'
          value={eventText}
          onInput={setEventText}
        />
      ) : null}
      {data !== 'event' ? (
        <JsonField
          id={`${idPrefix}-trigger`}
          label="Trigger data (JSON, optional)"
          hint="Fills {{ trigger.* }}: a broadcast's data, or message_data of /v1/send/push."
          placeholder='{"code": "WELCOME10"}'
          value={triggerText}
          onInput={setTriggerText}
        />
      ) : null}
      {children({
        cioId,
        device: devices && device ? device : undefined,
        event: event.ok ? event.value : undefined,
        trigger: trigger.ok ? trigger.value : undefined,
        dataOk: event.ok && trigger.ok,
      })}
    </div>
  );
}

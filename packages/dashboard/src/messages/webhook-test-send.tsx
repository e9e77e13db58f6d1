import type { AppCampaign, AppMessage, CampaignAction } from '@roster/protocol';
import { useEffect, useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { MessageStatus } from '../components/message-status';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';
import type { PreviewFor } from './preview-panel';

/** How often a test send's message is read back until it is sent or failed, and for how long. */
const POLL_MS = 1000;
const POLL_FOR_MS = 120_000;

/** Sends the action once to the campaign's saved URL, then follows the message to its outcome. */
export function WebhookTestSend({
  action,
  p,
  campaign,
  blocked,
}: {
  action: CampaignAction;
  p: PreviewFor;
  campaign: AppCampaign | null;
  blocked: string | null;
}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [message, setMessage] = useState<AppMessage | null>(null);
  useEffect(() => {
    if (!sent) return;
    const ctl = new AbortController();
    const until = Date.now() + POLL_FOR_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      App.message(sent, ctl.signal).then(
        (m) => {
          setMessage(m);
          const done = Boolean(m.metrics.sent || m.metrics.failed || m.failure_message);
          if (!done && Date.now() < until) timer = setTimeout(read, POLL_MS);
        },
        (error: unknown) => {
          if (!ctl.signal.aborted) setOutcome({ ok: false, text: errorMessage(error), error });
        },
      );
    };
    read();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [sent]);

  const saved = campaign?.action?.type === 'webhook' ? campaign.action : null;
  const why = !saved
    ? 'Save the campaign with its webhook first: a test goes to its saved URL.'
    : saved.url !== action.url
      ? 'Save the new URL first: a test goes to the saved one.'
      : !p.cioId
        ? 'Choose a person above.'
        : !p.dataOk
          ? 'Fix the data above first.'
          : blocked;

  const send = async () => {
    if (!campaign || !p.cioId) return;
    setBusy(true);
    setOutcome(null);
    setSent(null);
    setMessage(null);
    try {
      const r = await App.testSendWebhook(campaign.id, {
        customer_id: p.cioId,
        id_type: 'cio_id',
        action,
        ...(p.event ? { event: p.event } : {}),
        ...(p.trigger ? { trigger: p.trigger } : {}),
      });
      if (r.error) setOutcome({ ok: false, text: `Not sent: ${r.error}` });
      else setOutcome({ ok: true, text: 'Queued: the request goes out within seconds.' });
      setSent(r.delivery_id);
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error), error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="stack" data-testid="webhook-test">
      <div class="inline">
        <button type="button" disabled={busy || why !== null} onClick={() => void send()}>
          {busy ? 'Sending…' : 'Send test request'}
        </button>
      </div>
      {why ? <p class="hint">{why}</p> : null}
      <Notice outcome={outcome} />
      {message ? (
        <p class="small" data-testid="webhook-test-status">
          Test message: <MessageStatus metrics={message.metrics} failure={message.failure_message} />{' '}
          {message.failure_message ? (
            <span>{message.failure_message}</span>
          ) : message.metrics.sent ? (
            <span>your endpoint answered 2xx.</span>
          ) : (
            <span class="muted">waiting for your endpoint…</span>
          )}
        </p>
      ) : null}
    </div>
  );
}

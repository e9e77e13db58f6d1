import type { PushProviderView } from '@roster/protocol';
import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import { Badge } from '../components/badge';
import { Notice, type Outcome } from '../components/notice';
import { errorMessage } from '../models/format';

/**
 * The development provider (`PUT /v1/workspace/push-providers/log`): a switch, what it does, and
 * which platforms it is serving right now (real credentials take precedence).
 */
export function LogProviderForm({
  provider,
  apns,
  fcm,
  onSaved,
}: {
  provider: PushProviderView | undefined;
  apns: boolean;
  fcm: boolean;
  onSaved: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const on = provider !== undefined;
  const toggle = async () => {
    setBusy(true);
    try {
      if (on) await App.deletePushProvider('log');
      else await App.setPushProvider('log', {});
      setOutcome({
        ok: true,
        text: on
          ? 'Development provider turned off.'
          : 'Development provider on: pushes are written to the server log.',
      });
      onSaved();
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err), error: err });
    } finally {
      setBusy(false);
    }
  };
  const serving = [!apns && !fcm ? 'iOS' : null, !fcm ? 'Android' : null, 'other platforms'].filter(
    Boolean,
  ) as string[];
  return (
    <div class="stack" aria-labelledby="h-log">
      <h3 id="h-log">
        Development provider (log) <Badge tone={on ? 'warn' : 'neutral'}>{on ? 'on' : 'off'}</Badge>
      </h3>
      <p class="hint">
        Try push without Apple or Google credentials: pushes are written to the server log and recorded as
        sent, without reaching any device. Tokens starting with{' '}
        {(
          provider?.rules ?? [
            { prefix: 'bounce', outcome: 'bounced' },
            { prefix: 'invalid', outcome: 'invalid' },
            { prefix: 'fail', outcome: 'failed' },
          ]
        ).map((r, i, all) => (
          <span key={r.prefix}>
            <code>{r.prefix}</code> {r.outcome === 'invalid' ? 'act as invalid tokens' : `are ${r.outcome}`}
            {i < all.length - 1 ? ', ' : ''}
          </span>
        ))}
        . APNs and FCM, when configured, take precedence.
      </p>
      {on ? (
        <p class="notice unavailable" role="status" data-testid="log-provider-active">
          The development provider is active for{' '}
          {serving.length > 1 ? `${serving.slice(0, -1).join(', ')} and ${serving.at(-1)}` : serving[0]}:
          those pushes are written to the server log, not delivered.
        </p>
      ) : null}
      <button type="button" class={on ? '' : 'primary'} disabled={busy} onClick={toggle}>
        {on ? 'Turn off the development provider' : 'Turn on the development provider'}
      </button>
      <Notice outcome={outcome} />
    </div>
  );
}

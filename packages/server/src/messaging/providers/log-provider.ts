import type { PushProvider, PushRequest, SendOutcome } from './provider-types.js';

/**
 * What a scripted token does instead of being accepted:
 * - `bounced`: the provider rejected this device's push (two in a row suppress the device);
 * - `invalid`: the token is dead (the device is deleted from the person), as APNs' BadDeviceToken
 *   or FCM's UNREGISTERED;
 * - `failed`: the push cannot go out for a reason that is not the device's (the message fails).
 */
export const LOG_RULE_OUTCOMES = ['sent', 'bounced', 'invalid', 'failed'] as const;
export type LogRuleOutcome = (typeof LOG_RULE_OUTCOMES)[number];

export interface LogRule {
  /** Tokens that start with this (case-sensitive) get `outcome`; the first matching rule wins. */
  prefix: string;
  outcome: LogRuleOutcome;
}

/** The `push_providers.config` of a `log` row: the development provider. */
export interface LogConfig {
  rules: LogRule[];
}

/** The rules a log provider gets when it is configured without any. */
export const DEFAULT_LOG_RULES: readonly LogRule[] = [
  { prefix: 'bounce', outcome: 'bounced' },
  { prefix: 'invalid', outcome: 'invalid' },
  { prefix: 'fail', outcome: 'failed' },
];

export const MAX_LOG_RULES = 50;
export const MAX_LOG_PREFIX = 200;

/** Where the log provider writes each push (the server's logger in `roster serve`). */
export interface PushLog {
  info(obj: unknown, msg: string): void;
}

/**
 * The development provider: accepts a push for any platform and writes it to the server log
 * instead of sending it. The delivery worker records its answer exactly as it records APNs' and
 * FCM's (outbox, message metrics, `_last_status`, activities), so the whole lifecycle can be
 * tried without credentials; tokens matching a rule's prefix script a bounce, a dead token or a
 * failure (docs/messaging.md "Send your first push").
 */
export class LogProvider implements PushProvider {
  readonly kind = 'log' as const;

  constructor(
    private readonly config: LogConfig,
    private readonly log: PushLog | undefined,
  ) {}

  send(req: PushRequest): Promise<SendOutcome> {
    const rule = this.config.rules.find((r) => req.token.startsWith(r.prefix));
    const outcome = rule?.outcome ?? 'sent';
    this.log?.info(
      {
        provider: 'log',
        delivery_id: req.deliveryId,
        platform: req.platform,
        token: req.token,
        title: req.content.title,
        body: req.content.body,
        ...(req.content.link ? { link: req.content.link } : {}),
        outcome,
      },
      `push (log provider, not delivered to a device): ${outcome}`,
    );
    return Promise.resolve(toOutcome(outcome, req, rule));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toOutcome(outcome: LogRuleOutcome, req: PushRequest, rule: LogRule | undefined): SendOutcome {
  const why = rule ? `log provider: the token starts with "${rule.prefix}"` : '';
  switch (outcome) {
    case 'sent':
      return { kind: 'sent', providerId: `log-${req.deliveryId}` };
    case 'bounced':
      return { kind: 'bounced', reason: `${why} (scripted bounce)` };
    case 'invalid':
      return { kind: 'unregistered', reason: `${why} (scripted invalid token)` };
    case 'failed':
      return { kind: 'failed', reason: `${why} (scripted failure)` };
  }
}

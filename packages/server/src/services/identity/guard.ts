import { unixSeconds, type Clock } from '../../lib/clock.js';
import { ForbiddenError } from '../../lib/errors.js';
import type { MetricsRegistry } from '../../lib/metrics.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import {
  checkIdentitySignature,
  IDENTITY_CHECKS_METRIC,
  type IdentifierKind,
  refusalMessage,
  verifyIdentitySignature,
} from './verify.js';

/** A person write refused for its identity signature (reason `forbidden`). */
export class IdentityForbiddenError extends ForbiddenError {
  constructor(field: string, message: string) {
    super(field, message);
    this.name = 'IdentityForbiddenError';
  }
}

/**
 * Signed identify at the edge of the Track API (requests authenticated with the public tracking
 * key): `person` lets a write of one identified person through or throws `IdentityForbiddenError`;
 * `unsignable` is for writes that name people but cannot carry one signature for them (merge,
 * manual segment lists), refused outright when the workspace enforces signed identify.
 */
export class IdentityGuard {
  constructor(
    private readonly clock: Clock,
    private readonly metrics: MetricsRegistry,
  ) {}

  person(
    ws: Workspace,
    identifier: string,
    signature: string | undefined,
    field: string,
    kind?: IdentifierKind,
  ): void {
    const now = unixSeconds(this.clock);
    if (checkIdentitySignature(ws, identifier, signature, now, this.metrics, kind) !== 'refused') return;
    throw new IdentityForbiddenError(
      field,
      refusalMessage(verifyIdentitySignature(ws, identifier, signature, now, kind), identifier),
    );
  }

  unsignable(ws: Workspace, what: string): void {
    const mode = ws.settings.identityVerification;
    if (mode !== 'log' && mode !== 'enforce') return;
    this.metrics.inc(IDENTITY_CHECKS_METRIC, { site_id: ws.siteId, mode, verdict: 'unsignable' });
    if (mode === 'enforce')
      throw new IdentityForbiddenError(
        '',
        `forbidden: ${what} is not available with the public tracking key while this workspace enforces signed identify`,
      );
  }
}

/** The header a Track v1 request carries its person's identity signature in. */
export const SIGNATURE_HEADER = 'x-roster-identity-signature';

/**
 * What a Track v2 operation needs: the one identifier to check a signature for, nothing
 * (`anonymous`: events with only an `anonymous_id`, delivery metrics), or `unsignable` (merge).
 * Malformed operations answer `anonymous` here and fail in the parser with their own 400.
 */
export function v2Identity(
  op: unknown,
): { identifier: string; kind: IdentifierKind } | 'anonymous' | 'unsignable' {
  if (typeof op !== 'object' || op === null || Array.isArray(op)) return 'anonymous';
  const o = op as Record<string, unknown>;
  if (o.type !== 'person') return 'anonymous';
  if (o.action === 'merge') return 'unsignable';
  const ids = o.identifiers;
  if (typeof ids !== 'object' || ids === null || Array.isArray(ids)) return 'anonymous';
  for (const key of ['id', 'email', 'cio_id'] as const) {
    const raw = (ids as Record<string, unknown>)[key];
    const v =
      typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
    // A cio_id is signed as the app names the person: `cio_<id>` (the SDK's identify('cio_…')).
    if (v !== '') return { identifier: key === 'cio_id' ? `cio_${v}` : v, kind: key };
  }
  return 'anonymous';
}

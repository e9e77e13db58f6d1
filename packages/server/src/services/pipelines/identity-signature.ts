import type { MetricsRegistry } from '../../lib/metrics.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkIdentitySignature, refusalMessage, verifyIdentitySignature } from '../identity/verify.js';
import type { KeyKind } from './pipelines-event.js';

/** `ok` to write; otherwise the refusal's message (`forbidden: …`). */
export type SignatureOutcome = { ok: true } | { ok: false; message: string };

/**
 * Signed identify on the Pipelines wire (docs/security.md): each event names its person by
 * `userId` (or `traits.email`), and may carry `context.identity_signature` for exactly that string.
 * The one call site of the shared verifier for Pipelines. Server write keys (`swk_…`) and
 * anonymous events (no identifier) are exempt; in `log` mode a bad signature is counted and the
 * event written; in `enforce` mode it is refused (dropped from a batch and listed, 403 alone).
 */
export function checkPipelinesSignature(
  workspace: Workspace,
  keyKind: KeyKind,
  identifier: string | undefined,
  signature: unknown,
  now: number,
  metrics: MetricsRegistry,
): SignatureOutcome {
  if (keyKind === 'server' || identifier === undefined) return { ok: true };
  const token = typeof signature === 'string' ? signature : undefined;
  if (checkIdentitySignature(workspace, identifier, token, now, metrics) !== 'refused') return { ok: true };
  return {
    ok: false,
    message: refusalMessage(verifyIdentitySignature(workspace, identifier, token, now), identifier),
  };
}

import type { Workspace } from '../../store/workspaces/workspace.js';
import type { KeyKind } from './pipelines-event.js';

export type SignatureOutcome = 'ok' | 'refused' | 'logged';

/**
 * Signed identify on the Pipelines wire (contracts.md): each event may carry
 * `context.identity_signature` for the person it names. Server write keys and anonymous events
 * are exempt.
 *
 * SECURITY CALL SITE: the verifier (`checkIdentitySignature`, the security work of issue 18) is
 * not on main yet. When it lands, this function calls
 * `checkIdentitySignature(workspace, identifier, signature, now)` for public keys and returns its
 * answer; until then every event passes. This is the only place Pipelines checks signatures.
 */
export function checkPipelinesSignature(
  _workspace: Workspace,
  keyKind: KeyKind,
  identifier: string | undefined,
  _signature: unknown,
  _now: number,
): SignatureOutcome {
  if (keyKind === 'server' || identifier === undefined) return 'ok';
  return 'ok';
}

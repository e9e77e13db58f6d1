/** How a workspace recognises people (docs/track-api.md §3). */
export type IdentifierMode = 'id' | 'email' | 'email_or_id';

export const IDENTIFIER_MODES: readonly IdentifierMode[] = ['id', 'email', 'email_or_id'];

export interface WorkspaceSettings {
  /** Customer.io's "Allow updates to email using ID": an id-addressed identify may change email. */
  allowEmailUpdateViaId: boolean;
  /** Accept `"data": null` on events (the Go client sends it) instead of Customer.io's 400. */
  lenientEventData: boolean;
  /** App API requests per second per workspace; 0 turns the limit off (the default). */
  appApiRateLimit: number;
  /**
   * Signed identify (docs/security.md): `off` (default) accepts person writes from the public
   * tracking key without a signature; `log` accepts them and counts the ones `enforce` would
   * refuse; `enforce` refuses them (403).
   */
  identityVerification: IdentityVerificationMode;
}

export type IdentityVerificationMode = 'off' | 'log' | 'enforce';
export const IDENTITY_VERIFICATION_MODES: readonly IdentityVerificationMode[] = ['off', 'log', 'enforce'];

/** A secret the workspace's backend signs identifiers with. */
export interface IdentitySecret {
  secret: string;
  /** Unix seconds. */
  createdAt: number;
  /** When a rotated-out secret stops being accepted (unix seconds); null for the current one. */
  retiresAt: number | null;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  allowEmailUpdateViaId: false,
  lenientEventData: true,
  appApiRateLimit: 0,
  identityVerification: 'off',
};

export interface Workspace {
  id: number;
  siteId: string;
  name: string;
  identifierMode: IdentifierMode;
  settings: WorkspaceSettings;
  /** Signed identify's secrets: the current one first, then rotated-out ones still accepted. */
  identitySecrets: IdentitySecret[];
  createdAt: number;
}

export interface WorkspaceCredentials {
  siteId: string;
  apiKey: string;
  appApiKey: string;
  /** The public write key of the Pipelines API (`wk_…`; ROSTER_WRITE_KEY). */
  writeKey?: string | undefined;
  /** The server write key of the Pipelines API (`swk_…`; ROSTER_SERVER_WRITE_KEY), optional. */
  serverWriteKey?: string | undefined;
}

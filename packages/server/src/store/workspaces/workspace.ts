/** How a workspace recognises people (spec track-api.md §5.1). */
export type IdentifierMode = 'id' | 'email' | 'email_or_id';

export const IDENTIFIER_MODES: readonly IdentifierMode[] = ['id', 'email', 'email_or_id'];

export interface WorkspaceSettings {
  /** Customer.io's "Allow updates to email using ID": an id-addressed identify may change email. */
  allowEmailUpdateViaId: boolean;
  /** Accept `"data": null` on events (the Go client sends it) instead of Customer.io's 400. */
  lenientEventData: boolean;
  /** App API requests per second per workspace; 0 turns the limit off (the default). */
  appApiRateLimit: number;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  allowEmailUpdateViaId: false,
  lenientEventData: true,
  appApiRateLimit: 0,
};

export interface Workspace {
  id: number;
  siteId: string;
  name: string;
  identifierMode: IdentifierMode;
  settings: WorkspaceSettings;
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

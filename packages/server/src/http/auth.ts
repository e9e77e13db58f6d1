import type { FastifyRequest } from 'fastify';
import type { WorkspaceService } from '../services/workspaces.js';
import type { Workspace } from '../store/workspaces/workspace.js';
import { HttpError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The workspace the request authenticated as (set by the auth hooks). */
    workspace: Workspace | null;
  }
}

/**
 * `Authorization: Basic base64(site_id:api_key)`, scheme case-insensitive. Node's base64 decoder
 * reads both the standard and the URL-safe alphabet, which the Go client uses (docs/track-api.md §1).
 */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const match = /^\s*basic\s+([A-Za-z0-9+/_=-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // A NUL can be in no site id or key (and PostgreSQL refuses it in a query parameter).
  if (colon < 0 || decoded.includes('\u0000')) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

const TRACK_UNAUTHORIZED = 'Unauthorized request';
/** A 401 names the scheme it wants in `WWW-Authenticate` (RFC 9110, "WWW-Authenticate"). */
const TRACK_CHALLENGE = { 'www-authenticate': 'Basic realm="Roster Track API"' };
const APP_CHALLENGE = { 'www-authenticate': 'Bearer realm="Roster App API"' };

/** Authenticates a Track API request; `optional` routes (metrics, push events, unsubscribe) accept none. */
export function trackAuth(workspaces: WorkspaceService, options: { optional?: boolean } = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const creds = parseBasicAuth(request.headers.authorization);
    const ws = creds ? await workspaces.authenticateTrack(creds.user, creds.password) : undefined;
    if (ws) {
      request.workspace = ws;
      return;
    }
    if (!options.optional)
      throw new HttpError(401, TRACK_UNAUTHORIZED, undefined, 'unauthorized', TRACK_CHALLENGE);
  };
}

/** Authenticates an App API request by its Bearer key. A tracking key never matches. */
export function appAuth(workspaces: WorkspaceService) {
  return async (request: FastifyRequest): Promise<void> => {
    const key = parseBearer(request.headers.authorization);
    const ws = key ? await workspaces.authenticateApp(key) : undefined;
    if (!ws) throw new HttpError(401, 'unauthorized', undefined, 'invalid_credentials', APP_CHALLENGE);
    request.workspace = ws;
  };
}

/** The authenticated workspace; routes behind an auth hook can rely on it. */
export function workspaceOf(request: FastifyRequest): Workspace {
  if (!request.workspace) throw new HttpError(401, TRACK_UNAUTHORIZED, undefined, 'unauthorized');
  return request.workspace;
}

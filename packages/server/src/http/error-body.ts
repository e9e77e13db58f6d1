import { ulid } from '../lib/ulid.js';
import type { ApiFamily } from './api-family.js';

export interface WireError {
  status: number;
  message: string;
  /** The field or filter node at fault, when there is one. */
  field?: string | undefined;
  /** A stable reason code (required, invalid, too_long, unauthorized, not_found, …). */
  reason?: string | undefined;
}

/**
 * The JSON body for an error in the caller's wire family:
 * - Track v1: 400 `{"meta":{"errors":[…]}}`, other statuses `{"meta":{"error":"…"}}`;
 * - Track v2: `{"errors":[{"reason","field","message"}]}` (401 keeps Track's `meta.error`);
 * - App API: `{"errors":[{"detail":"… (reference ULID)","status":"404"}],"meta":{"error":"…"}}`:
 *   `errors[]` keeps the detail, pointer and code; `meta.error` is what customerio-node (and the
 *   other official clients) read for the message of the error they throw;
 * - App API `/v1/send/*`: `{"meta":{"error":"…"}}`.
 * - Pipelines API: 400 `{"meta":{"errors":[…]}}` (Customer.io's documented schema), others
 *   `{"meta":{"error":"…"}}`.
 */
export function errorBody(family: ApiFamily, err: WireError): unknown {
  switch (family) {
    case 'track_v1':
    case 'pipelines':
      if (err.status === 400) return { meta: { errors: [err.message] } };
      return { meta: { error: err.message } };
    case 'track_v2':
      if (err.status === 401) return { meta: { error: err.message } };
      return { errors: [{ reason: err.reason ?? 'invalid', field: err.field ?? '', message: err.message }] };
    case 'app_send':
      return { meta: { error: err.message } };
    case 'app':
    case 'other': {
      const detail = `${err.message} (reference ${ulid()})`;
      const item: Record<string, unknown> = { detail, status: String(err.status) };
      if (err.reason) item.code = err.reason;
      if (err.field)
        item.source = {
          pointer: err.field.startsWith('/') ? err.field : `/${err.field.replace(/\./g, '/')}`,
        };
      return { errors: [item], meta: { error: detail } };
    }
  }
}

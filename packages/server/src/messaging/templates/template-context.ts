import type { PersonIdentifiers } from '../../store/activities/activities.js';

/** The variables a template sees: `customer`, `event`, `device`, `trigger`. */
export interface TemplateContext {
  customer: Record<string, unknown>;
  event: Record<string, unknown>;
  device: Record<string, unknown>;
  trigger: Record<string, unknown>;
}

export interface ContextSource {
  identifiers: PersonIdentifiers | null;
  /** The person's custom attributes, as stored (nested values kept). */
  attributes?: Record<string, unknown>;
  /** The triggering event: `{ name, ...data }` or anything the caller chooses. */
  event?: Record<string, unknown>;
  device?: {
    token: string;
    platform: string;
    lastUsed: number;
    lastStatus: string;
    attributes: Record<string, unknown>;
  } | null;
  /** `message_data` of an API-triggered send, or a broadcast's `data`. */
  trigger?: Record<string, unknown>;
}

/**
 * Builds the Liquid scope. Identifiers win over same-named custom attributes, as on the profile.
 * Values are copied into plain objects so the template never holds a reference to a live row.
 */
export function buildTemplateContext(src: ContextSource): TemplateContext {
  const customer: Record<string, unknown> = { ...src.attributes };
  if (src.identifiers) {
    customer.id = src.identifiers.id;
    customer.email = src.identifiers.email;
    customer.cio_id = src.identifiers.cio_id;
  }
  const device: Record<string, unknown> = src.device
    ? {
        ...src.device.attributes,
        token: src.device.token,
        platform: src.device.platform,
        last_used: src.device.lastUsed,
        _last_status: src.device.lastStatus,
      }
    : {};
  return { customer, event: { ...src.event }, device, trigger: { ...src.trigger } };
}

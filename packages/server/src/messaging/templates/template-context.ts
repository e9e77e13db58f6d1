import type { PersonIdentifiers } from '../../store/activities/activities.js';
import type { TemplateObjectRow } from '../../store/objects/template-objects.js';
import { slugOf } from '../../lib/slug.js';

/** The variables a template sees: `customer`, `event`, `device`, `trigger`, `objects`. */
export interface TemplateContext {
  customer: Record<string, unknown>;
  event: Record<string, unknown>;
  device: Record<string, unknown>;
  trigger: Record<string, unknown>;
  /** The person's related objects by type slug (`objects.companies`), each with `relationship`. */
  objects: Record<string, Array<Record<string, unknown>>>;
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
  /** The person's related objects (`loadTemplateObjects`), already bounded per type. */
  objects?: readonly TemplateObjectRow[];
}

/**
 * An object as a template sees it: its attributes, then its identifiers (which win over
 * same-named attributes, as on a profile) and `relationship`, the attributes of the person's
 * relationship to it.
 */
export function templateObject(o: Omit<TemplateObjectRow, 'typeName'>): Record<string, unknown> {
  return {
    ...o.attributes,
    object_type_id: o.typeId,
    object_id: o.objectId,
    cio_object_id: o.cioObjectId,
    relationship: { ...o.relationship },
  };
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
  const objects: TemplateContext['objects'] = {};
  for (const o of src.objects ?? []) {
    const slug = slugOf(o.typeName);
    if (!Object.hasOwn(objects, slug)) objects[slug] = [];
    objects[slug]!.push(templateObject(o));
  }
  return { customer, event: { ...src.event }, device, trigger: { ...src.trigger }, objects };
}

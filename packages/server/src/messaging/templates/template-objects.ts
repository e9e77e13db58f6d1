import { relatedObjectsForTemplate, type TemplateObjectRow } from '../../store/objects/template-objects.js';
import type { Tx } from '../../store/store.js';
import type { PushTemplate } from './push-template.js';

/**
 * Objects of each type one render loads for `objects.<type>` (docs/messaging.md "Templates"): a
 * template loops over a person's companies, not over a million flights.
 */
export const TEMPLATE_OBJECTS_PER_TYPE = 50;

/** Whether any field of the template names `objects` (only then are they read). */
function mentionsObjects(t: PushTemplate): boolean {
  const sources = [t.title, t.message, t.image_url, t.link, t.sound, ...Object.values(t.custom_data ?? {})];
  return sources.some((s) => typeof s === 'string' && s.includes('objects'));
}

/** The person's related objects when the template reads them, else none (one query). */
export async function loadTemplateObjects(
  trx: Tx,
  workspaceId: number,
  personPid: number,
  template: PushTemplate,
): Promise<TemplateObjectRow[]> {
  if (!mentionsObjects(template)) return [];
  return relatedObjectsForTemplate(trx, workspaceId, personPid, TEMPLATE_OBJECTS_PER_TYPE);
}

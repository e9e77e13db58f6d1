import {
  buildTemplateContext,
  loadTemplateObjects,
  renderPushTemplate,
  TemplateRenderError,
  TemplateSyntaxError,
  type TemplateRenderer,
} from '../../messaging/index.js';
import { loadRecipient, selectPushDevices } from '../../store/messaging/recipients.js';
import type { Store } from '../../store/store.js';
import type { PeopleReadService } from '../people/people-read.js';
import { parseIdType } from '../query/id-type.js';
import { InvalidInputError, NotFoundError, UnprocessableError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkTemplate, parsePushTemplate } from '../../messaging/templates/template-input.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `POST /v1/templates/preview` over the server's store, renderer and people reads. */
export class TemplatePreviewService {
  constructor(
    private readonly store: Store,
    private readonly renderer: TemplateRenderer,
    private readonly people: PeopleReadService,
  ) {}

  preview(ws: Workspace, body: unknown): Promise<{ rendered: Record<string, unknown> }> {
    return previewTemplate(this.store, this.renderer, this.people, ws, body);
  }
}

/**
 * `POST /v1/templates/preview`: renders a push template for one person (and one of their devices:
 * `device_token`, else the last used) with optional `event` and `trigger` data, without queueing.
 */
export async function previewTemplate(
  store: Store,
  renderer: TemplateRenderer,
  people: PeopleReadService,
  ws: Workspace,
  body: unknown,
): Promise<{ rendered: Record<string, unknown> }> {
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  const template = checkTemplate(renderer, parsePushTemplate(body.template, '/template'), '/template');
  const customerId =
    typeof body.customer_id === 'number' ? String(body.customer_id) : (body.customer_id as unknown);
  if (typeof customerId !== 'string' || customerId === '')
    throw new InvalidInputError('/customer_id', 'customer_id is required', 'required');
  const idType = parseIdType(body.id_type, ws);
  for (const k of ['event', 'trigger'] as const)
    if (body[k] !== undefined && body[k] !== null && !isObject(body[k]))
      throw new InvalidInputError(`/${k}`, `${k} must be an object`);
  const person = await people.resolve(ws, idType, customerId);
  const recipient = await loadRecipient(store.db, ws.id, Number(person.pid));
  if (!recipient) throw new NotFoundError();
  const token =
    typeof body.device_token === 'string' && body.device_token !== '' ? body.device_token : 'last_used';
  const [device] = await selectPushDevices(store.db, ws.id, recipient.pid, token);
  if (token !== 'last_used' && !device)
    throw new InvalidInputError('/device_token', `device ${token} is not on this profile`, 'not_found');
  const context = buildTemplateContext({
    identifiers: recipient.identifiers,
    attributes: recipient.attributes,
    ...(isObject(body.event) ? { event: body.event } : {}),
    ...(isObject(body.trigger) ? { trigger: body.trigger } : {}),
    device: device ?? null,
    objects: await loadTemplateObjects(store.db, ws.id, recipient.pid, template),
  });
  try {
    const c = await renderPushTemplate(renderer, template, context);
    return {
      rendered: {
        title: c.title,
        message: c.body,
        image_url: c.imageUrl ?? null,
        link: c.link ?? null,
        sound: c.sound ?? null,
        custom_data: c.customData,
        device: device ? { token: device.token, platform: device.platform } : null,
      },
    };
  } catch (err) {
    if (err instanceof TemplateSyntaxError)
      throw new InvalidInputError(`/template/${err.field ?? ''}`, err.message, 'template_syntax');
    if (err instanceof TemplateRenderError)
      throw new UnprocessableError(`/template/${err.field ?? ''}`, err.message, 'template_render');
    throw err;
  }
}

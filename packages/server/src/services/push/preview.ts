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
import { InvalidInputError, NotFoundError, UnprocessableError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkTemplate } from '../../messaging/templates/template-input.js';
import type { TemplatePreview } from './preview-input.js';

/** `POST /v1/templates/preview` over the server's store, renderer and people reads. */
export class TemplatePreviewService {
  constructor(
    private readonly store: Store,
    private readonly renderer: TemplateRenderer,
    private readonly people: PeopleReadService,
  ) {}

  preview(ws: Workspace, command: TemplatePreview): Promise<{ rendered: Record<string, unknown> }> {
    return previewTemplate(this.store, this.renderer, this.people, ws, command);
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
  command: TemplatePreview,
): Promise<{ rendered: Record<string, unknown> }> {
  const template = checkTemplate(renderer, command.template, '/template');
  const person = await people.resolve(ws, command.idType, command.customerId);
  const recipient = await loadRecipient(store.db, ws.id, Number(person.pid));
  if (!recipient) throw new NotFoundError();
  const token = command.device;
  const [device] = await selectPushDevices(store.db, ws.id, recipient.pid, token);
  if (token !== 'last_used' && !device)
    throw new InvalidInputError('/device_token', `device ${token} is not on this profile`, 'not_found');
  const context = buildTemplateContext({
    identifiers: recipient.identifiers,
    attributes: recipient.attributes,
    ...(command.event ? { event: command.event } : {}),
    ...(command.trigger ? { trigger: command.trigger } : {}),
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

import type { TemplateContext } from './template-context.js';
import { TemplateSyntaxError } from './template-errors.js';
import { TemplateRenderer, type TemplateLimits } from './template-render.js';

/** A push template as stored or sent: every field is Liquid. */
export interface PushTemplate {
  title: string;
  message: string;
  image_url?: string | null;
  link?: string | null;
  /** iOS only: `default` | `none`. */
  sound?: string | null;
  /** Extra payload keys; values are Liquid and render to strings (FCM accepts only strings). */
  custom_data?: Record<string, string> | null;
  /** Undefined variables fail the send instead of rendering empty. */
  strict?: boolean;
}

/** What a provider sends, after rendering. */
export interface PushContent {
  title: string;
  body: string;
  imageUrl?: string;
  link?: string;
  sound?: string;
  customData: Record<string, string>;
}

/**
 * Checks every field's syntax (for a route to answer 400 before queueing), e.g.
 * `validatePushTemplate(renderer, { title: 'Hi', message: '{{ customer.name ' })` throws
 * `TemplateSyntaxError` with `field: 'message'` and `line: 1`.
 */
export function validatePushTemplate(renderer: TemplateRenderer, template: PushTemplate): void {
  for (const [field, source] of fields(template)) renderer.parse(source, field);
}

export async function renderPushTemplate(
  renderer: TemplateRenderer,
  template: PushTemplate,
  context: TemplateContext,
  limits?: Partial<TemplateLimits>,
): Promise<PushContent> {
  const strict = template.strict === true;
  const render = (source: string, field: string) =>
    renderer.render({ source, context, field, strict, ...(limits ? { limits } : {}) });
  const content: PushContent = {
    title: await render(template.title, 'title'),
    body: await render(template.message, 'message'),
    customData: {},
  };
  if (template.image_url) content.imageUrl = await render(template.image_url, 'image_url');
  if (template.link) content.link = await render(template.link, 'link');
  if (template.sound) content.sound = await render(template.sound, 'sound');
  for (const [key, source] of Object.entries(template.custom_data ?? {})) {
    if (typeof source !== 'string') {
      throw new TemplateSyntaxError('custom_data values must be strings', null, null, `custom_data.${key}`);
    }
    content.customData[key] = await render(source, `custom_data.${key}`);
  }
  return content;
}

function fields(t: PushTemplate): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['title', t.title],
    ['message', t.message],
  ];
  if (t.image_url) out.push(['image_url', t.image_url]);
  if (t.link) out.push(['link', t.link]);
  if (t.sound) out.push(['sound', t.sound]);
  for (const [k, v] of Object.entries(t.custom_data ?? {})) out.push([`custom_data.${k}`, String(v)]);
  return out;
}

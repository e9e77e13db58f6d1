import {
  TemplateSyntaxError,
  validatePushTemplate,
  type PushTemplate,
  type TemplateRenderer,
} from '../index.js';
import { InvalidInputError } from '../../lib/errors.js';

const STRING_FIELDS = ['image_url', 'link', 'sound'] as const;
/** Longest template field accepted (bytes of Liquid source). */
export const MAX_TEMPLATE_FIELD = 64 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `custom_data`: string values only (FCM carries strings only); numbers and booleans are stringified. */
export function parseCustomData(raw: unknown, pointer: string): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new InvalidInputError(pointer, `${pointer.replace(/^\//, '')} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw new InvalidInputError(`${pointer}/${k}`, `custom_data values must be strings (${k})`);
  }
  return out;
}

function text(raw: unknown, field: string, required: boolean, pointer: string): string | undefined {
  if (raw === undefined || raw === null) {
    if (required) throw new InvalidInputError(`${pointer}/${field}`, `${field} is required`, 'required');
    return undefined;
  }
  if (typeof raw !== 'string')
    throw new InvalidInputError(`${pointer}/${field}`, `${field} must be a string`);
  if (required && raw.trim() === '')
    throw new InvalidInputError(`${pointer}/${field}`, `${field} is required`, 'required');
  if (Buffer.byteLength(raw) > MAX_TEMPLATE_FIELD)
    throw new InvalidInputError(
      `${pointer}/${field}`,
      `${field} is longer than ${MAX_TEMPLATE_FIELD} bytes`,
      'too_long',
    );
  return raw;
}

/**
 * A push template from a request body: `{title, message, image_url?, link?, sound?, custom_data?, strict?}`.
 * `pointer` prefixes field names in errors (`/template`).
 */
export function parsePushTemplate(raw: unknown, pointer = ''): PushTemplate {
  if (!isObject(raw))
    throw new InvalidInputError(pointer || '/', 'a template object {title, message} is required', 'required');
  const t: PushTemplate = {
    title: text(raw.title, 'title', false, pointer) ?? '',
    message: text(raw.message, 'message', true, pointer)!,
  };
  for (const f of STRING_FIELDS) {
    const v = text(raw[f], f, false, pointer);
    if (v !== undefined && v !== '') t[f] = v;
  }
  const cd = parseCustomData(raw.custom_data, `${pointer}/custom_data`);
  if (cd) t.custom_data = cd;
  if (raw.strict !== undefined) {
    if (typeof raw.strict !== 'boolean')
      throw new InvalidInputError(`${pointer}/strict`, 'strict must be a boolean');
    t.strict = raw.strict;
  }
  return t;
}

/** The 400 text for a Liquid syntax error: `template syntax error in message on line 2: …`. */
export function syntaxErrorInput(err: TemplateSyntaxError, pointer = ''): InvalidInputError {
  return new InvalidInputError(
    `${pointer}/${(err.field ?? '').replace(/\./g, '/')}`,
    err.message,
    'template_syntax',
  );
}

/** Validates every field's Liquid; a syntax error becomes a 400 naming the field and line. */
export function checkTemplate(
  renderer: TemplateRenderer,
  template: PushTemplate,
  pointer = '',
): PushTemplate {
  try {
    validatePushTemplate(renderer, template);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw syntaxErrorInput(err, pointer);
    throw err;
  }
  return template;
}

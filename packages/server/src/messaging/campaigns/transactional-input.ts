import { InvalidInputError } from '../../lib/errors.js';
import type { PushTemplate } from '../templates/push-template.js';
import { parsePushTemplate } from '../templates/template-input.js';

const MAX_NAME = 255;

/**
 * `POST /v1/transactional`, `PUT /v1/transactional/:id`: a name and a template whose fields are
 * checked; the service checks its Liquid (it holds the renderer) and that the name is free.
 */
export interface TransactionalWrite {
  name: string;
  template: PushTemplate;
}

/** `{name, title?, message, image_url?, link?, sound?, custom_data?}`. */
export function parseTransactionalWrite(body: unknown): TransactionalWrite {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (name === '') throw new InvalidInputError('/name', 'name is required', 'required');
  if (name.length > MAX_NAME)
    throw new InvalidInputError('/name', `name is longer than ${MAX_NAME} characters`, 'too_long');
  if (/^\d+$/.test(name))
    throw new InvalidInputError('/name', 'name cannot be a number (it would read as an id)', 'invalid');
  return { name, template: parsePushTemplate(b) };
}

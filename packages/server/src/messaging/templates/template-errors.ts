/**
 * A template that cannot be parsed. Routes answer 400 naming the line
 * (`{"meta":{"error":"template syntax error on line 3: …"}}`).
 */
export class TemplateSyntaxError extends Error {
  readonly code = 'template_syntax';
  constructor(
    readonly reason: string,
    readonly line: number | null,
    readonly column: number | null,
    /** Which template field failed (`title`, `message`, `custom_data.key`), when known. */
    readonly field: string | null = null,
  ) {
    super(`template syntax error${field ? ` in ${field}` : ''}${line ? ` on line ${line}` : ''}: ${reason}`);
    this.name = 'TemplateSyntaxError';
  }
}

/**
 * A template that parsed but could not be rendered for this recipient: an undefined variable in a
 * strict template, or a render/memory/output limit. The send is recorded as failed, not answered 400.
 */
export class TemplateRenderError extends Error {
  readonly code = 'template_render';
  constructor(
    readonly reason: 'undefined_variable' | 'limit' | 'render',
    message: string,
    readonly line: number | null,
    readonly field: string | null = null,
  ) {
    super(`${field ? `${field}: ` : ''}${message}`);
    this.name = 'TemplateRenderError';
  }
}

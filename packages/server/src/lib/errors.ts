/**
 * Invalid input: the error services throw for a request that cannot be carried out as sent (400).
 * The HTTP layer maps it to each API's wire shape (Track `meta.errors`, App `errors[]`). The
 * subclasses below say why else a request is refused; which HTTP status each one answers is
 * decided in one place, the HTTP layer's `toWireError` (http/error-handler.ts), never here.
 */
export class InvalidInputError extends Error {
  constructor(
    /** The field (or JSON pointer-ish path) that is wrong, e.g. `device.platform`. */
    readonly field: string,
    message: string,
    /** A stable machine-readable reason: required | invalid | too_long | conflict | not_found. */
    readonly reason: string = 'invalid',
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** Understood, but not allowed for this caller or workspace (a missing signature, push not enabled). */
export class ForbiddenError extends InvalidInputError {
  constructor(field: string, message: string, reason = 'forbidden') {
    super(field, message, reason);
    this.name = 'ForbiddenError';
  }
}

/** Refused because of what already exists: a name taken, a workspace's limit of a kind reached. */
export class ConflictError extends InvalidInputError {
  constructor(field: string, message: string, reason = 'conflict') {
    super(field, message, reason);
    this.name = 'ConflictError';
  }
}

/** Well-formed, but it cannot be carried out as it stands (a template that fails to render). */
export class UnprocessableError extends InvalidInputError {
  constructor(field: string, message: string, reason = 'invalid') {
    super(field, message, reason);
    this.name = 'UnprocessableError';
  }
}

/** More than a request may carry (a batch over its count). */
export class TooLargeError extends InvalidInputError {
  constructor(field: string, message: string, reason = 'too_large') {
    super(field, message, reason);
    this.name = 'TooLargeError';
  }
}

/** The addressed resource does not exist (404 on the App API); `field` names what addressed it. */
export class NotFoundError extends Error {
  constructor(
    message = 'not found',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/**
 * A read that ran past its time budget and was stopped (`reason: 'timeout'`), or that could not
 * start because every read thread was busy and the queue full (`reason: 'busy'`). The HTTP layer
 * answers 503 with a message saying which.
 */
export class QueryBudgetError extends Error {
  constructor(
    readonly budgetMs: number,
    readonly reason: 'timeout' | 'busy' = 'timeout',
  ) {
    super(
      reason === 'busy'
        ? 'too many searches and counts are running; try again shortly'
        : `the query ran longer than ${budgetMs} ms and was stopped; narrow the conditions or combine saved segments (docs/segments.md, "Limits on a condition's cost")`,
    );
    this.name = 'QueryBudgetError';
  }
}

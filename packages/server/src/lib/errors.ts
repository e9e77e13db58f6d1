/**
 * Invalid input: the one error services throw for a request that cannot be carried out as sent.
 * The HTTP layer maps it to each API's wire shape (Track `meta.errors`, App `errors[]`).
 */
export class InvalidInputError extends Error {
  constructor(
    /** The field (or JSON pointer-ish path) that is wrong, e.g. `device.platform`. */
    readonly field: string,
    message: string,
    /** A stable machine-readable reason: required | invalid | too_long | conflict | not_found. */
    readonly reason: string = 'invalid',
    readonly status: number = 400,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** The addressed resource does not exist (404 on the App API). */
export class NotFoundError extends Error {
  constructor(message = 'not found') {
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

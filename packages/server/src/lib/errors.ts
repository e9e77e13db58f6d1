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

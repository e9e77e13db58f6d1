/**
 * How an answer after an upgrade may differ from the answer before it: it may carry fields the
 * old one did not have (a release may add fields to a response; it never removes or changes one),
 * and nothing else. Arrays keep their length and order. Returns the differences, one line each,
 * with a JSON pointer to where they are; none means the new answer conforms to the old one.
 */
export function differences(actual: unknown, expected: unknown, at = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at || '/'}: an array was expected, got ${describe(actual)}`];
    if (actual.length !== expected.length)
      return [`${at || '/'}: ${actual.length} items, was ${expected.length}`];
    return expected.flatMap((e, i) => differences(actual[i], e, `${at}/${i}`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return [`${at || '/'}: an object was expected, got ${describe(actual)}`];
    const got = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([k, v]) =>
      k in got ? differences(got[k], v, `${at}/${k}`) : [`${at}/${k}: missing (was ${describe(v)})`],
    );
  }
  return Object.is(actual, expected) ? [] : [`${at || '/'}: ${describe(actual)}, was ${describe(expected)}`];
}

function describe(v: unknown): string {
  const text = JSON.stringify(v);
  return text === undefined ? String(v) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

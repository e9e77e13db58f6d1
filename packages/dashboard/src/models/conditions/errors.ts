import { operatorLabel } from './kinds';

/**
 * The server's errors on conditions, made to sit on the row that caused them: its JSON pointer
 * (`/segment/conditions/and/1/attribute/value`) names a row of the builder (`/and/1`), and its
 * detail (`invalid filter: gt compares numbers: value must be a number`) becomes plain words.
 */

/**
 * The builder row an error pointer names, relative to `base` (`/segment/conditions`, `/filter`,
 * `/conditions`): the deepest list item on its path. `''` for the whole, null when the pointer is
 * not about the conditions at all.
 */
export function rowOf(pointer: string | undefined, base: string): string | null {
  if (pointer === undefined || (pointer !== base && !pointer.startsWith(`${base}/`))) return null;
  const parts = pointer.slice(base.length).split('/').slice(1);
  let row = -1;
  for (let i = 1; i < parts.length; i++)
    if (/^\d+$/.test(parts[i]!) && (parts[i - 1] === 'and' || parts[i - 1] === 'or')) row = i;
  return row < 0 ? '' : `/${parts.slice(0, row + 1).join('/')}`;
}

const RULES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^(gt|gte|lt|lte) compares numbers/, (m) => `“${operatorLabel(m[1]!)}” needs a number, such as 10 or 2.5`],
  [/^in requires a list of 1 to (\d+) values/, (m) => `“is one of” needs between 1 and ${m[1]} values`],
  [/^(\w+) requires a value/, (m) => `“${operatorLabel(m[1]!)}” needs a value`],
  [/^attribute\.field is required/, () => 'needs a field name'],
  [/^event\.name is required/, () => 'needs an event name'],
  [/^segment (\d+) does not exist/, (m) => `segment #${m[1]} does not exist (any more)`],
  [
    /^segment references form a cycle: (.*)/,
    (m) => `segments would depend on each other in a loop (${m[1]})`,
  ],
  [/must be a non-empty array/, () => 'this group is empty: add a condition to it or remove it'],
  [/^nesting is deeper than (\d+)/, (m) => `conditions are nested too deeply (at most ${m[1]} levels)`],
  [/^more than (\d+) filter nodes/, (m) => `too many conditions (at most ${m[1]})`],
  [/^event\.within must be a duration/, () => 'the time window must be a number of minutes, hours or days'],
  [/^event\.count\.value must be/, () => 'the count must be a whole number, 0 or more'],
  [/^object\.type_id must be/, () => 'choose an object type'],
  [/^(\w+) is not allowed inside (.*)/, (m) => `“${m[1]}” cannot be used inside ${m[2]}`],
];

/** An error detail in plain words (the "invalid filter:" jargon and reference dropped). */
export function plainWords(detail: string): string {
  const text = detail
    .replace(/\s*\(reference [^)]+\)\s*$/, '')
    .replace(/^invalid filter:\s*/, '')
    .trim();
  for (const [re, words] of RULES) {
    const m = re.exec(text);
    if (m) return words(m);
  }
  return text;
}

import { parseNested } from '../models/format';
import { JsonView } from './json-view';

/** An attribute value: text, or pretty JSON when it holds an object or array. */
export function AttrValue({ value }: { value: string }) {
  const nested = parseNested(value);
  if (nested !== undefined) return <JsonView value={nested} />;
  if (value === '') return <span class="muted">(empty)</span>;
  return <span class="value">{value}</span>;
}

import { shortToken } from '../models/format';

/**
 * A device token or other long id, shortened to its ends; the whole value shows on hover, is read
 * out by screen readers, and is what a copy takes.
 */
export function Token({ value, keep }: { value: string; keep?: number }) {
  const short = shortToken(value, keep);
  if (short === value) return <code class="token">{value}</code>;
  return (
    <code class="token" title={value} data-full={value}>
      <span aria-hidden="true">{short}</span>
      <span class="sr-only">{value}</span>
    </code>
  );
}

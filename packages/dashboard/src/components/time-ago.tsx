import { fullTime, relative } from '../models/format';

/** "5 minutes ago", with the full date and time on hover. */
export function TimeAgo({ unix }: { unix: number | undefined | null }) {
  if (!unix) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(unix * 1000).toISOString()} title={fullTime(unix)}>
      {relative(unix)}
    </time>
  );
}

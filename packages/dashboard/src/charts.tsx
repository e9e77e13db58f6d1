/** Small inline SVG charts: no chart library. Colours come from CSS variables (light and dark). */

export interface Point {
  timestamp: number;
  count: number;
}

const W = 640;
const H = 180;
const PAD = { top: 12, right: 8, bottom: 24, left: 40 };

function label(unix: number, interval: 'hour' | 'day'): string {
  const d = new Date(unix * 1000);
  return interval === 'hour'
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return n;
}

function summary(points: Point[], noun: string, interval: 'hour' | 'day'): string {
  const total = points.reduce((s, p) => s + p.count, 0);
  const peak = points.reduce((a, p) => (p.count > a.count ? p : a), points[0] ?? { timestamp: 0, count: 0 });
  if (points.length === 0) return `No ${noun}`;
  return `${total} ${noun} from ${label(points[0]!.timestamp, interval)} to ${label(points[points.length - 1]!.timestamp, interval)}; peak ${peak.count} at ${label(peak.timestamp, interval)}`;
}

function Axes({ max, ticks }: { max: number; ticks: Array<{ x: number; text: string }> }) {
  const innerH = H - PAD.top - PAD.bottom;
  return (
    <g class="axes" aria-hidden="true">
      {[0, 0.5, 1].map((f) => {
        const y = PAD.top + innerH * (1 - f);
        return (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} class="grid" />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end">
              {Math.round(max * f).toLocaleString()}
            </text>
          </g>
        );
      })}
      {ticks.map((t, i) => (
        <text
          key={t.x}
          x={t.x}
          y={H - 6}
          text-anchor={
            i === 0 && t.x <= PAD.left + 1
              ? 'start'
              : i === ticks.length - 1 && t.x >= W - PAD.right - 1
                ? 'end'
                : 'middle'
          }
        >
          {t.text}
        </text>
      ))}
    </g>
  );
}

function tickEvery(n: number): number {
  return Math.max(1, Math.ceil(n / 6));
}

export function BarChart({
  points,
  interval,
  noun,
}: {
  points: Point[];
  interval: 'hour' | 'day';
  noun: string;
}) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.count)));
  const bw = points.length ? innerW / points.length : innerW;
  const every = tickEvery(points.length);
  const ticks = points
    .map((p, i) => ({ x: PAD.left + bw * i + bw / 2, text: label(p.timestamp, interval), i }))
    .filter((t) => t.i % every === 0);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary(points, noun, interval)}>
      <Axes max={max} ticks={ticks} />
      {points.map((p, i) => {
        const h = (p.count / max) * innerH;
        return (
          <rect
            key={p.timestamp}
            class="bar"
            x={PAD.left + bw * i + Math.min(2, bw * 0.15)}
            y={PAD.top + innerH - h}
            width={Math.max(1, bw - Math.min(4, bw * 0.3))}
            height={Math.max(0, h)}
          >
            <title>{`${label(p.timestamp, interval)}: ${p.count.toLocaleString()} ${noun}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

export function LineChart({ points, noun }: { points: Point[]; noun: string }) {
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.count)));
  const t0 = points[0]?.timestamp ?? 0;
  // The size holds until now, so the line runs to the present.
  const t1 = Math.max(points[points.length - 1]?.timestamp ?? t0, Math.floor(Date.now() / 1000));
  const span = Math.max(1, t1 - t0);
  const xy = points.map(
    (p) =>
      [PAD.left + ((p.timestamp - t0) / span) * innerW, PAD.top + innerH - (p.count / max) * innerH] as const,
  );
  // A step line: a segment's size holds until it changes.
  let d = '';
  xy.forEach(([x, y], i) => {
    if (i === 0) d = `M${x.toFixed(1)},${y.toFixed(1)}`;
    else d += ` H${x.toFixed(1)} V${y.toFixed(1)}`;
  });
  if (xy.length) d += ` H${W - PAD.right}`;
  const last = xy[xy.length - 1];
  const area = xy.length ? `${d} V${PAD.top + innerH} H${xy[0]![0].toFixed(1)} Z` : '';
  const interval = span > 3 * 86_400 ? 'day' : 'hour';
  const ticks = [0, 0.5, 1].map((f) => ({ x: PAD.left + innerW * f, text: label(t0 + span * f, interval) }));
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary(points, noun, interval)}>
      <Axes max={max} ticks={points.length ? ticks : []} />
      {area ? <path d={area} class="area" /> : null}
      {d ? <path d={d} class="line" /> : null}
      {last ? <circle cx={W - PAD.right} cy={last[1]} r={3} class="dot" /> : null}
    </svg>
  );
}

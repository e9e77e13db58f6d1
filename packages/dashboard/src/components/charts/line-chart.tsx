import { dayLabel, hourLabel, niceMax, spanTicks, type Point } from '../../models/chart';
import { num } from '../../models/format';
import { ChartAxes } from './chart-axes';
import { frame } from './chart-frame';
import { useChartWidth } from './use-chart-width';

/**
 * A segment's size over time as a step line (a size holds until it changes), with a dot at each
 * change and the current size written at the end; dates under it.
 */
export function LineChart({ points, noun }: { points: Point[]; noun: string }) {
  const { ref, width } = useChartWidth();
  const f = frame(width ?? 640);
  const max = niceMax(Math.max(0, ...points.map((p) => p.count)));
  const now = Math.floor(Date.now() / 1000);
  const t0 = points[0]?.timestamp ?? now;
  // The size holds until now, so the line runs to the present.
  const t1 = Math.max(points[points.length - 1]?.timestamp ?? t0, now);
  const span = Math.max(1, t1 - t0);
  const xy = points.map(
    (p) =>
      [
        f.pad.left + ((p.timestamp - t0) / span) * f.innerW,
        f.pad.top + f.innerH - (p.count / max) * f.innerH,
      ] as const,
  );
  let d = '';
  xy.forEach(([x, y], i) => {
    d += i === 0 ? `M${x.toFixed(1)},${y.toFixed(1)}` : ` H${x.toFixed(1)} V${y.toFixed(1)}`;
  });
  if (xy.length) d += ` H${f.w - f.pad.right}`;
  const area = xy.length ? `${d} V${f.pad.top + f.innerH} H${xy[0]![0].toFixed(1)} Z` : '';
  const last = points[points.length - 1];
  const lastY = xy[xy.length - 1]?.[1] ?? f.pad.top + f.innerH;
  const label = last
    ? `${num(last.count)} ${noun} now${points.length > 1 ? `, ${points.length - 1} changes since ${dayLabel(t0)}, ${hourLabel(t0)}` : ''}`
    : `No ${noun}`;
  return (
    <figure class="chart-figure" ref={ref}>
      {width === null ? null : (
        <svg
          class="chart"
          width={f.w}
          height={f.h}
          viewBox={`0 0 ${f.w} ${f.h}`}
          role="img"
          aria-label={label}
        >
          <ChartAxes f={f} max={max} ticks={points.length ? spanTicks(t0, t1) : []} />
          {area ? <path d={area} class="area" /> : null}
          {d ? <path d={d} class="line" /> : null}
          {xy.map(([x, y], i) => (
            <circle key={i} cx={x} cy={y} r={3.5} class="dot">
              <title>{`${dayLabel(points[i]!.timestamp)}, ${hourLabel(points[i]!.timestamp)}: ${num(points[i]!.count)} ${noun}`}</title>
            </circle>
          ))}
          {last ? (
            <text
              class="value"
              x={f.w - f.pad.right}
              y={Math.max(f.pad.top + 10, lastY - 6)}
              text-anchor="end"
            >
              {num(last.count)}
            </text>
          ) : null}
        </svg>
      )}
      <figcaption class="muted small">{label}.</figcaption>
    </figure>
  );
}

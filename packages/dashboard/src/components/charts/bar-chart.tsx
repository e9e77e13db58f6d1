import {
  bucketLabel,
  bucketTicks,
  chartSummary,
  isSparse,
  niceMax,
  type Interval,
  type Point,
} from '../../models/chart';
import { ChartAxes } from './chart-axes';
import { frame } from './chart-frame';
import { useChartWidth } from './use-chart-width';

/**
 * Counts per hour or day as bars. With few events each bar has its count written above it and a
 * minimum height, so one event reads as a data point rather than a stray line; the caption says
 * the total, the range and the busiest bucket. Fewer labels fit a phone's width.
 */
export function BarChart({ points, interval, noun }: { points: Point[]; interval: Interval; noun: string }) {
  const { ref, width } = useChartWidth();
  const f = frame(width ?? 640);
  const max = niceMax(Math.max(0, ...points.map((p) => p.count)));
  const bw = points.length ? f.innerW / points.length : f.innerW;
  const sparse = isSparse(points);
  const summary = chartSummary(points, noun, interval);
  const ticks = bucketTicks(
    points.map((p) => p.timestamp),
    interval,
    {},
    Math.max(3, Math.floor(f.innerW / 64)),
  );
  return (
    <figure class="chart-figure" ref={ref}>
      {width === null ? null : (
        <svg
          class="chart"
          width={f.w}
          height={f.h}
          viewBox={`0 0 ${f.w} ${f.h}`}
          role="img"
          aria-label={summary}
        >
          <ChartAxes f={f} max={max} ticks={ticks} />
          {points.map((p, i) => {
            if (p.count === 0) return null;
            const h = Math.max(3, (p.count / max) * f.innerH);
            const x = f.pad.left + bw * i;
            const y = f.pad.top + f.innerH - h;
            return (
              <g key={p.timestamp}>
                <rect
                  class="bar"
                  x={x + Math.min(2, bw * 0.15)}
                  y={y}
                  width={Math.max(3, bw - Math.min(4, bw * 0.3))}
                  height={h}
                >
                  <title>{`${bucketLabel(p.timestamp, interval)}: ${p.count.toLocaleString()} ${noun}`}</title>
                </rect>
                {sparse ? (
                  <text class="value" x={x + bw / 2} y={y - 4} text-anchor="middle">
                    {p.count.toLocaleString()}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      )}
      <figcaption class="muted small" data-testid="chart-summary">
        {summary}
      </figcaption>
    </figure>
  );
}

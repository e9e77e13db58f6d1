import { yTicks, type AxisTick } from '../../models/chart';
import type { Frame } from './chart-frame';

/** Grid lines with whole-number counts on the left, and date/time labels under the chart. */
export function ChartAxes({ f, max, ticks }: { f: Frame; max: number; ticks: AxisTick[] }) {
  return (
    <g class="axes" aria-hidden="true">
      {yTicks(max).map((v) => {
        const y = f.pad.top + f.innerH * (1 - v / max);
        return (
          <g key={v}>
            <line x1={f.pad.left} x2={f.w - f.pad.right} y1={y} y2={y} class="grid" />
            <text x={f.pad.left - 6} y={y + 4} text-anchor="end">
              {v.toLocaleString()}
            </text>
          </g>
        );
      })}
      {ticks.map((t) => {
        const x = f.pad.left + f.innerW * t.at;
        const anchor = t.at < 0.04 ? 'start' : t.at > 0.96 ? 'end' : 'middle';
        return (
          <text key={t.at} x={x} y={f.h - f.pad.bottom + 15} text-anchor={anchor}>
            {t.lines.map((line, i) => (
              <tspan key={i} x={x} dy={i === 0 ? 0 : 13} class={i === 0 ? undefined : 'date'}>
                {line}
              </tspan>
            ))}
          </text>
        );
      })}
    </g>
  );
}

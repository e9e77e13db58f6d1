import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * The width of the element `ref` points at, measured before the first paint and kept current as it
 * resizes; null until measured (the chart draws nothing rather than the wrong size).
 */
export function useChartWidth() {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth || null);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}

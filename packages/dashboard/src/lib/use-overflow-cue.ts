import { useEffect, useState, type MutableRef } from 'preact/hooks';

/**
 * Which ends of a horizontally scrolling box hide content, for a fade that says "there is more"
 * (the nav on a phone). Re-measured on scroll and resize.
 */
export function useOverflowCue(ref: MutableRef<HTMLElement | null>): { start: boolean; end: boolean } {
  const [cue, setCue] = useState({ start: false, end: false });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const start = el.scrollLeft > 1;
      const end = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
      setCue((c) => (c.start === start && c.end === end ? c : { start, end }));
    };
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    window.addEventListener('resize', measure);
    return () => {
      el.removeEventListener('scroll', measure);
      window.removeEventListener('resize', measure);
    };
  }, [ref]);
  return cue;
}

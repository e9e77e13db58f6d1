/**
 * A chart's drawing area in CSS pixels: the SVG is drawn at the width of its box, so its labels
 * stay 11px on a phone instead of shrinking with a scaled viewBox.
 */
export interface Frame {
  w: number;
  h: number;
  pad: { top: number; right: number; bottom: number; left: number };
  innerW: number;
  innerH: number;
}

export function frame(width: number, height = 196): Frame {
  const w = Math.max(260, Math.round(width));
  const pad = { top: 16, right: 12, bottom: 38, left: 40 };
  return { w, h: height, pad, innerW: w - pad.left - pad.right, innerH: height - pad.top - pad.bottom };
}

import type { ComponentChildren } from 'preact';
import type { Tone } from '../models/status';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

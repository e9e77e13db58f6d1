import { describeConditions, type Condition, type SegmentNames, type TypeNames } from './conditions';

const GROUP_WORDS: Record<string, string> = {
  and: 'all of',
  or: 'any of',
  not: 'not',
  device: 'has a device where',
  event: 'did the event',
  segment: 'in segment',
};

/** An explain node in words: a group's own reading ("all of", "has a device where") without its children. */
export function explainWords(node: unknown, names: SegmentNames, types?: TypeNames): string {
  if (typeof node === 'string') return GROUP_WORDS[node] ?? node;
  if (node && typeof node === 'object') {
    if ('and' in node) return 'all of';
    if ('or' in node) return 'any of';
    if ('not' in node) return 'not';
    if ('device' in node) return 'has a device where';
    return describeConditions(node as Condition, names, types);
  }
  return String(node);
}

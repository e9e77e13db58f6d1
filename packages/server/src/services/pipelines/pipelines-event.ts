/** The six Segment-spec call types (docs/pipelines.md "Routes"). */
export type CallType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

export const CALL_TYPES: readonly CallType[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];

/** Route path → call type: the long names and the browser's one-letter forms (`/v1/i` …). */
export const PATH_TYPES: Record<string, CallType> = {
  identify: 'identify',
  track: 'track',
  page: 'page',
  screen: 'screen',
  group: 'group',
  alias: 'alias',
  i: 'identify',
  t: 'track',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
};

/** One call as it reached the server, with the envelope's `context` and `sentAt` folded in. */
export interface PipelinesEvent {
  type: CallType;
  raw: Record<string, unknown>;
  /** Position in the batch (0 for a single call), for error reports. */
  index: number;
  /** `messageId` when it is a usable dedupe key. */
  messageId: string | undefined;
  /** When it happened, unix seconds (see event-time.ts). */
  at: number;
}

/** Which key opened the request: signed identify applies to the public one only. */
export type KeyKind = 'public' | 'server';

/** Why an event was not applied: kept in the ingest-errors log and counted. */
export interface DroppedEvent {
  index: number;
  type: string | null;
  messageId: string | null;
  reason: string;
  message: string;
  raw: unknown;
}

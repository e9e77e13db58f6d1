import { Type, type Static } from 'typebox';

/**
 * The Data Pipelines wire (Segment's spec, docs/pipelines.md): what Customer.io's, Segment's and
 * RudderStack's clients send. The server is lenient like Segment's: extra keys are kept, and the
 * ingest service judges each event (a refused event is listed by `GET /v1/pipelines/errors`).
 */

/** One call: identify, track, page, screen, group or alias. */
export const PipelinesCall = Type.Object(
  {
    type: Type.Optional(Type.String({ description: 'identify | track | page | screen | group | alias' })),
    userId: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    anonymousId: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()])),
    event: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    traits: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    groupId: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    previousId: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    timestamp: Type.Optional(Type.String()),
    messageId: Type.Optional(Type.String()),
    writeKey: Type.Optional(Type.String({ description: 'The write key, when not sent as HTTP Basic.' })),
  },
  { additionalProperties: true },
);
export type PipelinesCall = Static<typeof PipelinesCall>;

/** `POST /v1/batch` (and `/v1/b`). */
export const PipelinesBatchBody = Type.Object(
  {
    batch: Type.Array(PipelinesCall),
    writeKey: Type.Optional(Type.String()),
    context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sentAt: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type PipelinesBatchBody = Static<typeof PipelinesBatchBody>;

/** `GET /v1/projects/:writeKey/settings`: what the browser and mobile clients load at start. */
export const PipelinesSettings = Type.Object(
  { integrations: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: true },
);
export type PipelinesSettings = Static<typeof PipelinesSettings>;

export const WriteKeyParams = Type.Object({ writeKey: Type.String({ description: 'A public write key.' }) });

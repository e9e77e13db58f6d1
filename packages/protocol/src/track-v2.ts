import { Type, type Static } from 'typebox';

/**
 * Track API v2 wire shapes (docs/track-api.md §2): `POST /api/v2/entity` (one operation) and
 * `POST /api/v2/batch` (`{"batch": [...]}`). Person identifiers hold exactly one key; Roster also
 * accepts `anonymous_id` on event/page/screen (Roster's SDK and Segment send it).
 */

const Attributes = Type.Record(Type.String(), Type.Unknown());
const Unix = Type.Integer({ minimum: 0 });

export const TrackV2PersonIdentifiers = Type.Union([
  Type.Object({ id: Type.Union([Type.String(), Type.Number()]) }, { additionalProperties: false }),
  Type.Object({ email: Type.String() }, { additionalProperties: false }),
  Type.Object({ cio_id: Type.String() }, { additionalProperties: false }),
  Type.Object({ anonymous_id: Type.String() }, { additionalProperties: false }),
]);
export type TrackV2PersonIdentifiers = Static<typeof TrackV2PersonIdentifiers>;

const PersonBase = {
  type: Type.Literal('person'),
  identifiers: TrackV2PersonIdentifiers,
  timestamp: Type.Optional(Unix),
};

export const TrackV2Identify = Type.Object({
  ...PersonBase,
  action: Type.Literal('identify'),
  attributes: Type.Optional(Attributes),
});
export const TrackV2Event = Type.Object({
  ...PersonBase,
  action: Type.Union([Type.Literal('event'), Type.Literal('page'), Type.Literal('screen')]),
  name: Type.String({ minLength: 1 }),
  id: Type.Optional(Type.String()),
  attributes: Type.Optional(Attributes),
});
export const TrackV2AddDevice = Type.Object({
  ...PersonBase,
  action: Type.Literal('add_device'),
  device: Type.Object(
    {
      token: Type.String({ minLength: 1 }),
      platform: Type.String({ minLength: 1 }),
      last_used: Type.Optional(Unix),
      attributes: Type.Optional(Attributes),
    },
    { additionalProperties: true },
  ),
});
export const TrackV2DeleteDevice = Type.Object({
  ...PersonBase,
  action: Type.Literal('delete_device'),
  device: Type.Object({ token: Type.String({ minLength: 1 }) }),
});
export const TrackV2PersonLifecycle = Type.Object({
  ...PersonBase,
  action: Type.Union([Type.Literal('delete'), Type.Literal('suppress'), Type.Literal('unsuppress')]),
});
const MergeSide = Type.Union([
  Type.Object({ id: Type.Union([Type.String(), Type.Number()]) }, { additionalProperties: false }),
  Type.Object({ email: Type.String() }, { additionalProperties: false }),
  Type.Object({ cio_id: Type.String() }, { additionalProperties: false }),
]);
export const TrackV2Merge = Type.Object({
  type: Type.Literal('person'),
  action: Type.Literal('merge'),
  primary: MergeSide,
  secondary: MergeSide,
});
/** A push delivery metric (docs/track-api.md §2, §8). */
export const TrackV2Delivery = Type.Object({
  type: Type.Literal('delivery'),
  action: Type.Literal('event'),
  identifiers: Type.Object({ id: Type.String({ minLength: 1 }) }),
  name: Type.String(),
  timestamp: Type.Optional(Unix),
  attributes: Type.Object({ device_token: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
});

export const TrackV2Operation = Type.Union([
  TrackV2Identify,
  TrackV2Event,
  TrackV2AddDevice,
  TrackV2DeleteDevice,
  TrackV2PersonLifecycle,
  TrackV2Merge,
  TrackV2Delivery,
]);
export type TrackV2Operation = Static<typeof TrackV2Operation>;

export const TrackV2BatchBody = Type.Object({ batch: Type.Array(Type.Unknown()) });
export type TrackV2BatchBody = Static<typeof TrackV2BatchBody>;

export const TrackV2Error = Type.Object({
  reason: Type.String(),
  field: Type.String(),
  message: Type.String(),
});
export type TrackV2Error = Static<typeof TrackV2Error>;

/** 400: `{"errors":[{reason, field, message}]}`. */
export const TrackV2Errors = Type.Object({ errors: Type.Array(TrackV2Error) });
export type TrackV2Errors = Static<typeof TrackV2Errors>;

/** 207: only failed items, `batch_index` 0-based. */
export const TrackV2BatchPartial = Type.Object({
  errors: Type.Array(
    Type.Intersect([TrackV2Error, Type.Object({ batch_index: Type.Integer({ minimum: 0 }) })]),
  ),
});
export type TrackV2BatchPartial = Static<typeof TrackV2BatchPartial>;

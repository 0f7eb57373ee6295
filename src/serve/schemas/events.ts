/** Feedback events: POST /v1/events. */
import { Type, type Static } from '@sinclair/typebox';
import { Id, Timestamp } from './common.js';

export const EventIn = Type.Object(
  {
    user: Id,
    item: Id,
    type: Type.String({ pattern: '^[a-z0-9_-]{1,64}$', description: 'view, cart, purchase, dislike, rating or any [a-z0-9_-]{1,64} name' }),
    weight: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'training weight of this event; null = the weight of its type' })),
    value: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'a rating, price or dwell time' })),
    timestamp: Type.Optional(Timestamp),
    key: Type.Optional(Type.Union([Id, Type.Null()], { description: 'idempotency key: a repeated key is not inserted again' })),
  },
  { additionalProperties: false },
);

export const EventBatch = Type.Object(
  {
    events: Type.Array(EventIn, { minItems: 1, maxItems: 10_000 }),
    autoCreate: Type.Optional(Type.Boolean({ description: 'create unknown users and items (default true)' })),
  },
  { additionalProperties: false },
);
export type EventBatchT = Static<typeof EventBatch>;

export const EventBatchResult = Type.Object({
  inserted: Type.Integer(),
  duplicates: Type.Integer(),
  createdUsers: Type.Integer(),
  createdItems: Type.Integer(),
  results: Type.Array(Type.Object({ seq: Type.Integer(), duplicate: Type.Boolean() })),
});

export const EventOut = Type.Object({
  seq: Type.Integer(),
  user: Type.String(),
  item: Type.String(),
  type: Type.String(),
  weight: Type.Union([Type.Number(), Type.Null()]),
  value: Type.Union([Type.Number(), Type.Null()]),
  timestamp: Type.Number(),
  key: Type.Union([Type.String(), Type.Null()]),
  insertedAt: Type.Number(),
});
export const UserEventsQuery = Type.Object({
  n: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  types: Type.Optional(Type.String({ maxLength: 1000, description: 'comma-separated event types' })),
});
export type UserEventsQueryT = Static<typeof UserEventsQuery>;

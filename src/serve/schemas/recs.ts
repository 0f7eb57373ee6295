/** Recommendation routes: queries and results. */
import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common.js';

/** A named pipeline: 'default', a variant's name or its model's name (EngineOptions.variants). */
export const Pipeline = Type.String({
  minLength: 1,
  maxLength: 256,
  description: "named pipeline: 'default', a variant's name or its model's name; absent: the default model",
});
/** The optional `pipeline` of a query string. */
export const PipelineQuery = Type.Object({ pipeline: Type.Optional(Pipeline) });
export type PipelineQueryT = Static<typeof PipelineQuery>;
/** `n` and the optional `pipeline` of a query string. */
export const PipelineNQuery = Type.Object({
  n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  pipeline: Type.Optional(Pipeline),
});
export type PipelineNQueryT = Static<typeof PipelineNQuery>;

export const RecItem = Type.Object({
  id: Type.String(),
  score: Type.Number(),
  source: Type.String(),
  explanation: Type.String(),
  title: Type.Optional(Type.String()),
});
export const RecList = Type.Object({ items: Type.Array(RecItem) });

export const RecQuery = Type.Object({
  n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  cursor: Type.Optional(Type.String({ maxLength: 100_000, description: 'nextCursor of the previous page' })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  filter: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'rule expression, e.g. price < 20' })),
  excludeSeen: Type.Boolean({ default: true }),
  pipeline: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: "named pipeline: 'default', a variant's name or its model's name; absent: the running experiment's variant, else the default" }),
  ),
});
export type RecQueryT = Static<typeof RecQuery>;

export const RecResult = Type.Object({
  items: Type.Array(RecItem),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  modelVersion: Type.Union([Type.Number(), Type.Null()]),
  experiment: Type.Optional(Type.Object({ id: Type.String(), variant: Type.String() })),
  cached: Type.Boolean(),
});

export const CategoryQuery = Type.Object({
  n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});
export type CategoryQueryT = Static<typeof CategoryQuery>;

export const SimilarUsers = Type.Object({ users: Type.Array(Type.Object({ id: Type.String(), score: Type.Number() })) });
export const ExplainParams = Type.Object({ id: Id, itemId: Id });
export type ExplainParamsT = Static<typeof ExplainParams>;
export const Explanation = Type.Object({ user: Type.String(), item: Type.String(), score: Type.Number(), reasons: Type.Array(Type.String()) });

export const SessionBody = Type.Object(
  {
    recentItems: Type.Array(Id, { minItems: 1, maxItems: 1000, description: 'recently viewed item ids, oldest first' }),
    n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
    pipeline: Type.Optional(Pipeline),
  },
  { additionalProperties: false },
);
export type SessionBodyT = Static<typeof SessionBody>;

export const GroupBody = Type.Object(
  {
    users: Type.Array(Id, { minItems: 1, maxItems: 100 }),
    strategy: Type.Union([Type.Literal('average'), Type.Literal('least-misery'), Type.Literal('most-pleasure'), Type.Literal('fair')], { default: 'average' }),
    n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
    pipeline: Type.Optional(Pipeline),
  },
  { additionalProperties: false },
);
export type GroupBodyT = Static<typeof GroupBody>;

export const Rows = Type.Object({
  rows: Type.Array(Type.Object({ title: Type.String(), reason: Type.String(), items: Type.Array(RecItem) })),
});

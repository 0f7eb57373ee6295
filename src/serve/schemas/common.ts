/** Shared TypeBox schemas of the HTTP API: ids, errors, JSON values, list paging. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { JsonObject } from '../../store/types.js';

export const MAX_ID = 256;
/** Upper bound of Unix-ms timestamps accepted (the year 2200), as in the store. */
export const MAX_TS = 7_258_118_400_000;

export const Id = Type.String({ minLength: 1, maxLength: MAX_ID, description: 'external id (1-256 characters)' });
export const Timestamp = Type.Integer({ minimum: 0, maximum: MAX_TS - 1, description: 'Unix time in milliseconds' });
export const Strings = Type.Array(Type.String({ minLength: 1, maxLength: MAX_ID }), { maxItems: 1000 });
/** Free-form JSON attributes; the store checks nesting (<= 16 levels) and finiteness. */
export const Features = Type.Unsafe<JsonObject>(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON attributes (nested at most 16 levels)' }));

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable error code (see the catalogue in the API description)' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'the offending field, e.g. body/events/3/item' })),
    }),
  },
  { description: "error" },
);

/** Error responses every route may give (documented in OpenAPI, serialised with the error shape). */
export function errors(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = ErrorSchema;
  return out;
}
export const READ_ERRORS = [400, 401, 404, 429, 500];
export const WRITE_ERRORS = [400, 401, 403, 404, 413, 415, 429, 500];

export const IdParams = Type.Object({ id: Id });
export type IdParamsT = Static<typeof IdParams>;

export const ListQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: MAX_ID, description: 'keyset cursor: ids greater than this' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  includeDeleted: Type.Boolean({ default: false }),
  updatedSince: Type.Optional(Timestamp),
});
export type ListQueryT = Static<typeof ListQuery>;

export const NQuery = Type.Object({ n: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }) });
export type NQueryT = Static<typeof NQuery>;

export const Ok = Type.Object({ ok: Type.Boolean() });

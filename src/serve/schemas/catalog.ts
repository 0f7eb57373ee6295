/** Users and items: input (create/update, batch upsert) and output records. */
import { Type, type Static } from '@sinclair/typebox';
import { Features, Id, Strings, Timestamp } from './common.js';

const userFields = {
  features: Type.Optional(Features),
  labels: Type.Optional(Strings),
};
/** PUT/PATCH /v1/users/{id}: fields left out keep their stored value. */
export const UserPatch = Type.Object(userFields, { additionalProperties: false });
export const UserInput = Type.Object({ id: Id, ...userFields }, { additionalProperties: false });
export const UserBatch = Type.Object({ users: Type.Array(UserInput, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
export type UserPatchT = Static<typeof UserPatch>;
export type UserBatchT = Static<typeof UserBatch>;

export const UserOut = Type.Object({
  id: Type.String(),
  features: Features,
  labels: Type.Array(Type.String()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
  deleted: Type.Boolean(),
});
export const UserPage = Type.Object({ users: Type.Array(UserOut), next: Type.Union([Type.String(), Type.Null()]) });

const itemFields = {
  title: Type.Optional(Type.String({ maxLength: 4096 })),
  features: Type.Optional(Features),
  categories: Type.Optional(Strings),
  labels: Type.Optional(Strings),
  timestamp: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: 'published / available since (Unix ms) or null' })),
  hidden: Type.Optional(Type.Boolean({ description: 'never recommended while true' })),
  outOfStock: Type.Optional(Type.Boolean({ description: 'never recommended while true' })),
};
export const ItemPatch = Type.Object(itemFields, { additionalProperties: false });
export const ItemInput = Type.Object({ id: Id, ...itemFields }, { additionalProperties: false });
export const ItemBatch = Type.Object({ items: Type.Array(ItemInput, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false });
export type ItemPatchT = Static<typeof ItemPatch>;
export type ItemBatchT = Static<typeof ItemBatch>;

export const ItemOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  features: Features,
  categories: Type.Array(Type.String()),
  labels: Type.Array(Type.String()),
  timestamp: Type.Union([Type.Number(), Type.Null()]),
  hidden: Type.Boolean(),
  outOfStock: Type.Boolean(),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
  deleted: Type.Boolean(),
});
export const ItemPage = Type.Object({ items: Type.Array(ItemOut), next: Type.Union([Type.String(), Type.Null()]) });

export const UpsertResultUsers = Type.Object({ users: Type.Array(UserOut) });
export const UpsertResultItems = Type.Object({ items: Type.Array(ItemOut) });
export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });

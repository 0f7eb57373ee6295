/** Model administration: versions, retraining, activation (rollback). */
import { Type, type Static } from '@sinclair/typebox';
import { Features } from './common.js';

export const ModelVersionOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  version: Type.Integer(),
  params: Features,
  metrics: Features,
  size: Type.Integer(),
  createdAt: Type.Number(),
  active: Type.Boolean(),
});
export const ModelList = Type.Object({
  models: Type.Array(ModelVersionOut),
  engine: Type.Object({
    ready: Type.Boolean(),
    training: Type.Boolean(),
    modelName: Type.Union([Type.String(), Type.Null()]),
    modelVersion: Type.Union([Type.Number(), Type.Null()]),
    trainedAt: Type.Union([Type.Number(), Type.Null()]),
  }),
});
export const ModelListQuery = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) });
export type ModelListQueryT = Static<typeof ModelListQuery>;
export const RetrainBody = Type.Union([
  Type.Null(),
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
]);
export type RetrainBodyT = Static<typeof RetrainBody>;
export const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1, description: 'model version id (GET /v1/models: id)' }) });
export type VersionParamsT = Static<typeof VersionParams>;

/** Model administration: the registry's versions, retraining, activation of an earlier version (rollback). */
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../errors.js';
import { errors, READ_ERRORS, WRITE_ERRORS } from '../schemas/common.js';
import { ModelList, ModelListQuery, ModelVersionOut, RetrainBody, VersionParams, type ModelListQueryT, type RetrainBodyT, type VersionParamsT } from '../schemas/models.js';

export const modelsRoutes: FastifyPluginAsync = async (app) => {
  const { store, engine } = app;
  const tags = ['models'];
  app.get<{ Querystring: ModelListQueryT }>(
    '/v1/models',
    { schema: { tags, summary: 'model versions (newest first) with offline metrics, and the engine state', querystring: ModelListQuery, response: { 200: ModelList, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const s = engine.status();
      return {
        models: await store.listModels(req.query.name),
        engine: { ready: s.ready, training: s.training, modelName: s.modelName, modelVersion: s.modelVersion, trainedAt: s.trainedAt },
      };
    },
  );
  app.post<{ Body: RetrainBodyT }>(
    '/v1/models/retrain',
    {
      schema: {
        tags,
        summary: 'retrain now (in a worker; requests keep being served), record the version with its metrics, swap it in',
        body: RetrainBody,
        response: { 200: ModelVersionOut, ...errors(...WRITE_ERRORS, 501, 503) },
      },
    },
    async (req) => {
      const reason = req.body && typeof req.body === 'object' ? req.body.reason : undefined;
      return engine.retrain(reason === undefined ? { reason: 'api' } : { reason });
    },
  );
  app.post<{ Params: VersionParamsT }>(
    '/v1/models/:version/activate',
    {
      schema: {
        tags,
        summary: 'make a stored version active again (rollback)',
        params: VersionParams,
        response: { 200: ModelVersionOut, ...errors(...WRITE_ERRORS, 501, 503) },
      },
    },
    async (req) => {
      const v = await store.getModel(req.params.version);
      if (!v) throw new HttpError('E_UNKNOWN_ID', `params/version: no model version ${req.params.version}`, 'params/version');
      return engine.rollback(v.id);
    },
  );
};

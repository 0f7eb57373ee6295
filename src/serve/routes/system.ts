/** Fixed points for operators: liveness and readiness (open, not rate limited). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

const Health = Type.Object({ status: Type.Literal('ok'), uptimeS: Type.Number() });
const Ready = Type.Object({
  ready: Type.Boolean(),
  training: Type.Boolean(),
  modelName: Type.Union([Type.String(), Type.Null()]),
  modelVersion: Type.Union([Type.Number(), Type.Null()]),
  users: Type.Number(),
  items: Type.Number(),
  lastEventSeq: Type.Number(),
});

export const systemRoutes: FastifyPluginAsync = async (app) => {
  const started = Date.now();
  app.get(
    '/health',
    { config: { rateLimit: false }, schema: { tags: ['system'], summary: 'liveness: the process answers', response: { 200: Health } } },
    async () => ({ status: 'ok' as const, uptimeS: (Date.now() - started) / 1000 }),
  );
  app.get(
    '/ready',
    {
      config: { rateLimit: false },
      schema: { tags: ['system'], summary: 'readiness: the engine has a model and serves (503 until then)', response: { 200: Ready, 503: Ready } },
    },
    async (_req, reply) => {
      const s = app.engine.status();
      const body = { ready: s.ready, training: s.training, modelName: s.modelName, modelVersion: s.modelVersion, users: s.users, items: s.items, lastEventSeq: s.lastEventSeq };
      return reply.code(s.ready ? 200 : 503).send(body);
    },
  );
};

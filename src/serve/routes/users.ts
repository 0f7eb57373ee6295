/** /v1/users: create, update (PUT/PATCH merge), batch upsert, read, list, delete, history. */
import type { FastifyPluginAsync } from 'fastify';
import type { UserRecord } from '../../store/types.js';
import { HttpError, rebaseError } from '../errors.js';
import { errors, IdParams, ListQuery, READ_ERRORS, WRITE_ERRORS, type IdParamsT, type ListQueryT } from '../schemas/common.js';
import { Deleted, UpsertResultUsers, UserBatch, UserOut, UserPage, UserPatch, type UserBatchT, type UserPatchT } from '../schemas/catalog.js';
import { EventOut, UserEventsQuery, type UserEventsQueryT } from '../schemas/events.js';
import { Type } from '@sinclair/typebox';

export const usersRoutes: FastifyPluginAsync = async (app) => {
  const { store, engine } = app;
  const tags = ['users'];

  async function upsertOne(id: string, body: UserPatchT | null): Promise<UserRecord> {
    try {
      const [rec] = await store.upsertUsers([{ id, ...(body ?? {}) }]);
      engine.onCatalogChange('user', [id]);
      return rec;
    } catch (e) {
      throw rebaseError(e, 'users[0]', 'body');
    }
  }

  app.post<{ Body: UserBatchT }>(
    '/v1/users',
    { schema: { tags, summary: 'batch upsert of users (one transaction)', body: UserBatch, response: { 200: UpsertResultUsers, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const users = await store.upsertUsers(req.body.users);
      engine.onCatalogChange('user', users.map((u) => u.id));
      return { users };
    },
  );
  for (const method of ['PUT', 'PATCH'] as const) {
    app.route<{ Params: IdParamsT; Body: UserPatchT }>({
      method,
      url: '/v1/users/:id',
      schema: {
        tags,
        summary: method === 'PUT' ? 'create or update a user (fields left out keep their value)' : 'update some fields of a user',
        params: IdParams,
        body: UserPatch,
        response: { 200: UserOut, ...errors(...WRITE_ERRORS) },
      },
      handler: async (req) => upsertOne(req.params.id, req.body),
    });
  }
  app.get<{ Params: IdParamsT }>(
    '/v1/users/:id',
    { schema: { tags, summary: 'a user', params: IdParams, response: { 200: UserOut, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const u = await store.getUser(req.params.id);
      if (!u) throw new HttpError('E_UNKNOWN_ID', `params/id: no user "${req.params.id}"`, 'params/id');
      return u;
    },
  );
  app.get<{ Querystring: ListQueryT }>(
    '/v1/users',
    { schema: { tags, summary: 'users in id order (keyset paging with after/next)', querystring: ListQuery, response: { 200: UserPage, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const q = req.query;
      const page = await store.listUsers({ after: q.after, limit: q.limit, includeDeleted: q.includeDeleted, updatedSince: q.updatedSince });
      return { users: page.rows, next: page.next };
    },
  );
  app.delete<{ Params: IdParamsT }>(
    '/v1/users/:id',
    { schema: { tags, summary: 'delete a user (soft: the id is kept; its events leave training)', params: IdParams, response: { 200: Deleted, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const ok = await store.deleteUser(req.params.id);
      if (!ok) throw new HttpError('E_UNKNOWN_ID', `params/id: no user "${req.params.id}"`, 'params/id');
      engine.onCatalogChange('user', [req.params.id]);
      return { id: req.params.id, deleted: true };
    },
  );
  app.get<{ Params: IdParamsT; Querystring: UserEventsQueryT }>(
    '/v1/users/:id/events',
    {
      schema: {
        tags,
        summary: "the user's latest events, newest first",
        params: IdParams,
        querystring: UserEventsQuery,
        response: { 200: Type.Object({ events: Type.Array(EventOut) }), ...errors(...READ_ERRORS) },
      },
    },
    async (req) => {
      const types = req.query.types ? req.query.types.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : undefined;
      return { events: await store.recentEvents(req.params.id, req.query.n, types) };
    },
  );
};

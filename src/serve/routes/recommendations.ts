/**
 * Recommendation reads: per user (paging, category, filter, excludeSeen, pipeline), similar items and
 * users, explanations, anonymous sessions, groups, popular, trending and presentation rows. All go
 * through the Engine; the POST routes are reads (they need a read key). Similar items, explanations,
 * rows (query `pipeline`), sessions and groups (body `pipeline`) take a named pipeline too.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { RecommendQuery } from '../engine/types.js';
import { mapFieldError } from '../errors.js';
import { errors, IdParams, NQuery, READ_ERRORS, type IdParamsT, type NQueryT } from '../schemas/common.js';
import {
  CategoryQuery,
  ExplainParams,
  Explanation,
  GroupBody,
  PipelineNQuery,
  PipelineQuery,
  RecList,
  RecQuery,
  RecResult,
  Rows,
  SessionBody,
  SimilarUsers,
  type CategoryQueryT,
  type ExplainParamsT,
  type GroupBodyT,
  type PipelineNQueryT,
  type PipelineQueryT,
  type RecQueryT,
  type SessionBodyT,
} from '../schemas/recs.js';

/** Engine parameter names -> request fields, so engine errors name what the client sent. */
const FIELDS: Readonly<Record<string, string>> = {
  userId: 'params/id',
  user: 'params/id',
  itemId: 'params/itemId',
  item: 'params/id',
  n: 'querystring/n',
  cursor: 'querystring/cursor',
  category: 'querystring/category',
  filter: 'querystring/filter',
  pipeline: 'querystring/pipeline',
  excludeSeen: 'querystring/excludeSeen',
};
const BODY_FIELDS: Readonly<Record<string, string>> = {
  recentItems: 'body/recentItems',
  recentItemIds: 'body/recentItems',
  items: 'body/recentItems',
  users: 'body/users',
  userIds: 'body/users',
  strategy: 'body/strategy',
  n: 'body/n',
  pipeline: 'body/pipeline',
};

async function call<T>(fn: () => Promise<T>, names: Readonly<Record<string, string>>, fallback?: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw mapFieldError(e, names, fallback);
  }
}

export const recommendationRoutes: FastifyPluginAsync = async (app) => {
  const { engine } = app;
  const tags = ['recommendations'];
  const E = errors(...READ_ERRORS, 501, 503);
  const postErrors = errors(...READ_ERRORS, 413, 415, 501, 503);

  app.get<{ Params: IdParamsT; Querystring: RecQueryT }>(
    '/v1/users/:id/recommendations',
    {
      schema: {
        tags,
        summary: 'recommendations for a user',
        description: 'Pages: pass nextCursor as cursor; a later page never repeats an item of an earlier one. filter is a rule expression over item attributes.',
        params: IdParams,
        querystring: RecQuery,
        response: { 200: RecResult, ...E },
      },
    },
    async (req) => {
      const q = req.query;
      const query: RecommendQuery = { userId: req.params.id, n: q.n, excludeSeen: q.excludeSeen };
      if (q.cursor !== undefined) query.cursor = q.cursor;
      if (q.category !== undefined) query.category = q.category;
      if (q.filter !== undefined) query.filter = q.filter;
      if (q.pipeline !== undefined) query.pipeline = q.pipeline;
      return call(() => engine.recommend(query), FIELDS, 'params/id');
    },
  );
  app.get<{ Params: IdParamsT; Querystring: PipelineNQueryT }>(
    '/v1/items/:id/similar',
    {
      schema: {
        tags,
        summary: 'items similar to an item',
        description: "pipeline: the model that answers ('default', a variant's name or its model's name).",
        params: IdParams,
        querystring: PipelineNQuery,
        response: { 200: RecList, ...E },
      },
    },
    async (req) => ({
      items: await call(() => engine.similarItems(req.params.id, req.query.n, req.query.pipeline), { ...FIELDS, itemId: 'params/id' }, 'params/id'),
    }),
  );
  app.get<{ Params: IdParamsT; Querystring: NQueryT }>(
    '/v1/users/:id/similar',
    { schema: { tags, summary: 'users with similar taste', params: IdParams, querystring: NQuery, response: { 200: SimilarUsers, ...E } } },
    async (req) => ({ users: await call(() => engine.similarUsers(req.params.id, req.query.n), FIELDS, 'params/id') }),
  );
  app.get<{ Params: ExplainParamsT; Querystring: PipelineQueryT }>(
    '/v1/users/:id/explain/:itemId',
    {
      schema: {
        tags,
        summary: 'why (and how strongly) an item suits a user',
        description: "pipeline: the model whose score and reasons are given ('default', a variant's name or its model's name).",
        params: ExplainParams,
        querystring: PipelineQuery,
        response: { 200: Explanation, ...E },
      },
    },
    async (req) => {
      const r = await call(() => engine.explain(req.params.id, req.params.itemId, req.query.pipeline), FIELDS);
      return { user: req.params.id, item: req.params.itemId, score: r.score, reasons: r.reasons };
    },
  );
  app.post<{ Body: SessionBodyT }>(
    '/v1/sessions/recommendations',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'recommendations for an anonymous visitor from recently viewed items', body: SessionBody, response: { 200: RecList, ...postErrors } },
    },
    async (req) => ({ items: await call(() => engine.session(req.body.recentItems, req.body.n, req.body.pipeline), BODY_FIELDS, 'body/recentItems') }),
  );
  app.post<{ Body: GroupBodyT }>(
    '/v1/groups/recommendations',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'recommendations for a group of users',
        description: "strategy: average, least-misery, most-pleasure or fair (greedy turns). pipeline: the model that scores ('default', a variant's name or its model's name).",
        body: GroupBody,
        response: { 200: RecList, ...postErrors },
      },
    },
    async (req) => ({ items: await call(() => engine.group(req.body.users, req.body.n, req.body.strategy, req.body.pipeline), BODY_FIELDS, 'body/users') }),
  );
  app.get<{ Querystring: CategoryQueryT }>(
    '/v1/popular',
    { schema: { tags, summary: 'most popular items (optionally in a category)', querystring: CategoryQuery, response: { 200: RecList, ...E } } },
    async (req) => ({ items: await call(() => engine.popular(req.query.n, req.query.category), FIELDS, 'querystring/category') }),
  );
  app.get<{ Querystring: CategoryQueryT }>(
    '/v1/trending',
    { schema: { tags, summary: 'items gaining popularity now (optionally in a category)', querystring: CategoryQuery, response: { 200: RecList, ...E } } },
    async (req) => ({ items: await call(() => engine.trending(req.query.n, req.query.category), FIELDS, 'querystring/category') }),
  );
  app.get<{ Params: IdParamsT; Querystring: PipelineQueryT }>(
    '/v1/users/:id/rows',
    {
      schema: {
        tags,
        summary: 'presentation rows for a user (Because you watched X, Trending now, ...)',
        description: "pipeline: the model behind the rows ('default', a variant's name or its model's name).",
        params: IdParams,
        querystring: PipelineQuery,
        response: { 200: Rows, ...E },
      },
    },
    async (req) => ({ rows: await call(() => engine.rows(req.params.id, req.query.pipeline), FIELDS, 'params/id') }),
  );
};

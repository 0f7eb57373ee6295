/**
 * /v1/experiments: A/B tests. Create and list experiments, start/stop them, the variant of a user
 * (deterministic bucketing, experiments.ts), the exposure/outcome log, and the results (CTR and
 * conversion with Wilson intervals, two-proportion z-tests against the control).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Experiment, ExperimentLogInput } from '../../store/types.js';
import { HttpError, rebaseError } from '../errors.js';
import { assignVariant, bucketOf, results } from '../experiments.js';
import { errors, Features, Id, IdParams, READ_ERRORS, Timestamp, WRITE_ERRORS, type IdParamsT } from '../schemas/common.js';

const Status = Type.Union([Type.Literal('draft'), Type.Literal('running'), Type.Literal('stopped')]);
const VariantOut = Type.Object({ name: Type.String(), weight: Type.Number(), config: Features });
const ExperimentOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  variants: Type.Array(VariantOut),
  status: Status,
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
const ExperimentIn = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 1000 })),
    variants: Type.Array(
      Type.Object(
        {
          name: Id,
          weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, description: 'share of traffic relative to the other variants (default 1)' })),
          config: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'what the variant serves, e.g. {"pipeline": "default"} or {"model": "als"}' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
type ExperimentInT = Static<typeof ExperimentIn>;
const StatusBody = Type.Object({ status: Status }, { additionalProperties: false });
type StatusBodyT = Static<typeof StatusBody>;
const Kind = Type.Union([Type.Literal('impression'), Type.Literal('click'), Type.Literal('conversion')]);
const LogBody = Type.Object(
  {
    entries: Type.Array(
      Type.Object(
        {
          user: Id,
          kind: Kind,
          variant: Type.Optional(Id),
          item: Type.Optional(Type.Union([Id, Type.Null()])),
          value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
          timestamp: Type.Optional(Timestamp),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000, description: 'a missing variant is the user\'s bucketed variant' },
    ),
  },
  { additionalProperties: false },
);
type LogBodyT = Static<typeof LogBody>;
const AssignQuery = Type.Object({ user: Id });
type AssignQueryT = Static<typeof AssignQuery>;
const RangeQuery = Type.Object({
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  alpha: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.05 }),
});
type RangeQueryT = Static<typeof RangeQuery>;

const Interval = Type.Object({ rate: Type.Number(), low: Type.Number(), high: Type.Number(), successes: Type.Number(), trials: Type.Number() });
const Comparison = Type.Object({
  diff: Type.Number(),
  lift: Type.Union([Type.Number(), Type.Null()]),
  z: Type.Number(),
  pValue: Type.Number(),
  pAdjusted: Type.Number(),
  significant: Type.Boolean(),
});
const Results = Type.Object({
  experiment: ExperimentOut,
  control: Type.String(),
  alpha: Type.Number(),
  method: Type.String(),
  variants: Type.Array(
    Type.Object({
      variant: Type.String(),
      weight: Type.Number(),
      config: Features,
      impressions: Type.Integer(),
      clicks: Type.Integer(),
      conversions: Type.Integer(),
      exposedUsers: Type.Integer(),
      clickUsers: Type.Integer(),
      convertedUsers: Type.Integer(),
      conversionValue: Type.Number(),
      ctr: Interval,
      conversion: Interval,
      vsControl: Type.Union([Type.Null(), Type.Object({ ctr: Comparison, conversion: Comparison })]),
    }),
  ),
});

export const experimentsRoutes: FastifyPluginAsync = async (app) => {
  const { store, engine } = app;
  const tags = ['experiments'];

  async function mustGet(id: string): Promise<Experiment> {
    const e = await store.getExperiment(id);
    if (!e) throw new HttpError('E_UNKNOWN_ID', `params/id: no experiment ${JSON.stringify(id)}`, 'params/id');
    return e;
  }

  app.get(
    '/v1/experiments',
    { schema: { tags, summary: 'all experiments', response: { 200: Type.Object({ experiments: Type.Array(ExperimentOut) }), ...errors(...READ_ERRORS) } } },
    async () => ({ experiments: await store.listExperiments() }),
  );

  app.post<{ Body: ExperimentInT }>(
    '/v1/experiments',
    { schema: { tags, summary: 'create an experiment (variants with weights and configs)', body: ExperimentIn, response: { 200: ExperimentOut, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const names = new Set<string>();
      req.body.variants.forEach((v, k) => {
        if (names.has(v.name)) throw new HttpError('E_PARAM', `body/variants/${k}/name: ${JSON.stringify(v.name)} repeats an earlier variant; expected distinct names`, `body/variants/${k}/name`);
        names.add(v.name);
      });
      try {
        const created = await store.createExperiment(req.body as Parameters<typeof store.createExperiment>[0]);
        engine.onExperimentsChange?.();
        return created;
      } catch (e) {
        throw rebaseError(e, 'experiment', 'body');
      }
    },
  );

  app.get<{ Params: IdParamsT }>(
    '/v1/experiments/:id',
    { schema: { tags, summary: 'one experiment', params: IdParams, response: { 200: ExperimentOut, ...errors(...READ_ERRORS) } } },
    async (req) => mustGet(req.params.id),
  );

  app.post<{ Params: IdParamsT; Body: StatusBodyT }>(
    '/v1/experiments/:id/status',
    { schema: { tags, summary: 'start (running), stop or reset to draft', params: IdParams, body: StatusBody, response: { 200: ExperimentOut, ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      await mustGet(req.params.id);
      const changed = await store.setExperimentStatus(req.params.id, req.body.status);
      engine.onExperimentsChange?.();
      return changed;
    },
  );

  app.get<{ Params: IdParamsT; Querystring: AssignQueryT }>(
    '/v1/experiments/:id/assignment',
    {
      schema: {
        tags,
        summary: "a user's variant (deterministic: SHA-256 of experiment id and user id -> [0,1) -> cumulative weights)",
        params: IdParams,
        querystring: AssignQuery,
        response: { 200: Type.Object({ experiment: Type.String(), user: Type.String(), bucket: Type.Number(), variant: Type.String(), config: Features }), ...errors(...READ_ERRORS) },
      },
    },
    async (req) => {
      const e = await mustGet(req.params.id);
      const v = assignVariant(e, req.query.user);
      return { experiment: e.id, user: req.query.user, bucket: bucketOf(e.id, req.query.user), variant: v.name, config: v.config };
    },
  );

  app.post<{ Params: IdParamsT; Body: LogBodyT }>(
    '/v1/experiments/:id/log',
    { schema: { tags, summary: 'log impressions, clicks and conversions per variant (one transaction)', params: IdParams, body: LogBody, response: { 200: Type.Object({ logged: Type.Integer() }), ...errors(...WRITE_ERRORS) } } },
    async (req) => {
      const e = await mustGet(req.params.id);
      const known = new Set(e.variants.map((v) => v.name));
      const entries: ExperimentLogInput[] = req.body.entries.map((x, k) => {
        const variant = x.variant ?? assignVariant(e, x.user).name;
        if (!known.has(variant))
          throw new HttpError('E_PARAM', `body/entries/${k}/variant: ${JSON.stringify(variant)} is not a variant of ${JSON.stringify(e.id)}; expected one of ${[...known].join(', ')}`, `body/entries/${k}/variant`);
        return { experiment: e.id, variant, user: x.user, kind: x.kind, item: x.item ?? null, value: x.value ?? null, ...(x.timestamp !== undefined ? { timestamp: x.timestamp } : {}) };
      });
      try {
        return { logged: await store.logExperiment(entries) };
      } catch (err) {
        throw rebaseError(err, 'entries', 'body/entries');
      }
    },
  );

  app.get<{ Params: IdParamsT; Querystring: RangeQueryT }>(
    '/v1/experiments/:id/results',
    {
      schema: {
        tags,
        summary: 'per-variant CTR and conversion with 95% Wilson intervals; two-proportion z-tests against the control (first variant)',
        params: IdParams,
        querystring: RangeQuery,
        response: { 200: Results, ...errors(...READ_ERRORS) },
      },
    },
    async (req) => {
      const e = await mustGet(req.params.id);
      const { since, until, alpha } = req.query;
      if (since !== undefined && until !== undefined && until <= since) throw new HttpError('E_PARAM', `querystring/until: got ${until}; expected a time after since (${since})`, 'querystring/until');
      const stats = await store.experimentStats(e.id, { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) });
      return results(e, stats, alpha);
    },
  );
};

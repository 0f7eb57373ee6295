/**
 * Monitoring: Prometheus `GET /metrics` (open, like /health), request latency and counts for every route
 * (this plugin's hooks are global: it must be registered before the other route modules), and the JSON
 * statistics the dashboard reads: `GET /v1/stats` (counts, events by type, event-rate histogram, engine
 * status, cache) and `GET /v1/stats/drift` (drift.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceMetrics } from '../metrics.js';
import { errors, READ_ERRORS } from '../schemas/common.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus registry and drift monitor of this app (routes/metrics.ts). */
    metrics: ServiceMetrics;
  }
}

const StatsQuery = Type.Object({
  bucket: Type.Integer({ minimum: 60_000, maximum: 31 * 86_400_000, default: 3_600_000, description: 'histogram bucket width (ms)' }),
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'histogram start (Unix ms); default: 48 buckets before the newest event' })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: 'histogram end (Unix ms, exclusive)' })),
});
type StatsQueryT = Static<typeof StatsQuery>;

const Counts = Type.Object({ users: Type.Integer(), items: Type.Integer(), events: Type.Integer(), models: Type.Integer(), experiments: Type.Integer() });
const Stats = Type.Object({
  counts: Counts,
  eventsByType: Type.Array(Type.Object({ type: Type.String(), count: Type.Integer() })),
  histogram: Type.Object({
    bucketMs: Type.Integer(),
    since: Type.Number(),
    until: Type.Number(),
    buckets: Type.Array(Type.Object({ start: Type.Number(), type: Type.String(), count: Type.Integer() })),
  }),
  engine: Type.Object({
    ready: Type.Boolean(),
    training: Type.Boolean(),
    modelName: Type.Union([Type.String(), Type.Null()]),
    modelVersion: Type.Union([Type.Number(), Type.Null()]),
    trainedAt: Type.Union([Type.Number(), Type.Null()]),
    users: Type.Number(),
    items: Type.Number(),
    lastEventSeq: Type.Number(),
    cache: Type.Object({ hits: Type.Number(), misses: Type.Number(), size: Type.Number(), hitRatio: Type.Number() }),
  }),
});
const Share = Type.Object({ type: Type.String(), reference: Type.Number(), recent: Type.Number() });
const Drift = Type.Object({
  referenceSeq: Type.Number(),
  referenceEvents: Type.Integer(),
  recentEvents: Type.Integer(),
  window: Type.Integer(),
  eventTypeJsd: Type.Number(),
  itemJsd: Type.Number(),
  unknownItemShare: Type.Number(),
  newUserShare: Type.Number(),
  types: Type.Array(Share),
  risingItems: Type.Array(Type.Object({ item: Type.String(), reference: Type.Number(), recent: Type.Number() })),
  computedAt: Type.Number(),
});

function eventTypes(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const evs = (body as { events?: unknown }).events;
  if (!Array.isArray(evs)) return [];
  const out: string[] = [];
  for (const e of evs) if (typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string') out.push((e as { type: string }).type);
  return out;
}

const plugin: FastifyPluginAsync = async (app) => {
  const metrics = new ServiceMetrics(app.store, app.engine);
  app.decorate('metrics', metrics);

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (route === '/v1/events' && req.method === 'POST' && reply.statusCode < 300) metrics.countEvents(eventTypes(req.body));
  });

  app.get('/metrics', { config: { rateLimit: false }, schema: { tags: ['system'], summary: 'Prometheus metrics (text exposition format)', hide: false } }, async (_req, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });

  app.get<{ Querystring: StatsQueryT }>(
    '/v1/stats',
    { schema: { tags: ['system'], summary: 'counts, events by type, event-rate histogram and engine status (the dashboard overview)', querystring: StatsQuery, response: { 200: Stats, ...errors(...READ_ERRORS) } } },
    async (req) => {
      const store = app.store;
      const [counts, eventsByType, lastSeq] = await Promise.all([store.counts(), store.countEventsByType(), store.lastEventSeq()]);
      const bucketMs = req.query.bucket;
      let until = req.query.until;
      if (until === undefined) {
        // End at the newest event (demo data may be years old), rounded up to a bucket.
        let newest = Date.now();
        if (lastSeq > 0) {
          const page = await store.readEvents({ after: lastSeq - 1, limit: 1, includeDeleted: true });
          if (page.events.length) newest = page.events[0].timestamp;
        }
        until = (Math.floor(newest / bucketMs) + 1) * bucketMs;
      }
      const since = req.query.since ?? until - 48 * bucketMs;
      const buckets = await store.eventHistogram(bucketMs, { since, until });
      const s = app.engine.status();
      const lookups = s.cache.hits + s.cache.misses;
      return {
        counts,
        eventsByType,
        histogram: { bucketMs, since, until, buckets },
        engine: {
          ready: s.ready,
          training: s.training,
          modelName: s.modelName,
          modelVersion: s.modelVersion,
          trainedAt: s.trainedAt,
          users: s.users,
          items: s.items,
          lastEventSeq: s.lastEventSeq,
          cache: { ...s.cache, hitRatio: lookups > 0 ? s.cache.hits / lookups : 0 },
        },
      };
    },
  );

  app.get(
    '/v1/stats/drift',
    { schema: { tags: ['system'], summary: 'drift of recent events against the training data (event types, item popularity, unknown items)', response: { 200: Drift, ...errors(...READ_ERRORS) } } },
    async () => metrics.driftReport(),
  );
};

// Not encapsulated (what fastify-plugin does): the hooks apply to the routes of the modules registered after it.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const metricsRoutes: FastifyPluginAsync = plugin;

/**
 * POST /v1/events: a batch of feedback events in one transaction. After the store acknowledges (the
 * batch is durable), the engine gets the new events so that the users' next recommendations reflect
 * them at once. Repeated idempotency keys are reported as duplicates and not passed on again.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { EventInput, EventRecord } from '../../store/types.js';
import { errors, WRITE_ERRORS } from '../schemas/common.js';
import { EventBatch, EventBatchResult, type EventBatchT } from '../schemas/events.js';

export const eventsRoutes: FastifyPluginAsync = async (app) => {
  const { store, engine } = app;
  app.post<{ Body: EventBatchT }>(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'insert feedback events (batch, idempotency keys, typed with weights, dislikes)',
        description:
          'Event types: view, cart, purchase, dislike (negative weight), rating (value = the rating) or any [a-z0-9_-] name. ' +
          'The weight of a type is configured in the engine (view 1, cart 3, purchase 5, dislike -1 by default); an event may carry its own weight. ' +
          'A repeated key (in the store or earlier in the batch) is not inserted again: its result says duplicate.',
        body: EventBatch,
        response: { 200: EventBatchResult, ...errors(...WRITE_ERRORS) },
      },
    },
    async (req) => {
      const now = Date.now();
      const events: EventInput[] = req.body.events.map((e) => ({ ...e, timestamp: e.timestamp ?? now }));
      const res = await store.insertEvents(events, { autoCreate: req.body.autoCreate ?? true });
      const fresh: EventRecord[] = [];
      const seen = new Set<number>();
      res.results.forEach((r, i) => {
        if (r.duplicate || seen.has(r.seq)) return;
        seen.add(r.seq);
        const e = events[i];
        fresh.push({
          seq: r.seq,
          user: e.user,
          item: e.item,
          type: e.type,
          weight: e.weight ?? null,
          value: e.value ?? null,
          timestamp: e.timestamp ?? now,
          key: e.key ?? null,
          insertedAt: now,
        });
      });
      if (fresh.length > 0) {
        try {
          engine.onEvents(fresh);
        } catch (err) {
          // The events are stored (acknowledged); the engine catches up from the store on its next read.
          req.log.error({ err }, 'engine.onEvents failed');
        }
      }
      return res;
    },
  );
};

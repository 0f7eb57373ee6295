/**
 * The route modules of the service, in registration order. Each is a fastify plugin that reaches the
 * Store and Engine through `app.store` / `app.engine` (decorated in app.ts). Routes under /v1/ need an
 * API key (see auth.ts; set `config: { scope: 'read' }` on a POST route that only reads).
 * Add a module by appending it here.
 */
import type { FastifyPluginAsync } from 'fastify';
import { dashboardRoutes } from './dashboard.js';
import { eventsRoutes } from './events.js';
import { experimentsRoutes } from './experiments.js';
import { itemsRoutes } from './items.js';
import { metricsRoutes } from './metrics.js';
import { modelsRoutes } from './models.js';
import { recommendationRoutes } from './recommendations.js';
import { systemRoutes } from './system.js';
import { usersRoutes } from './users.js';

// metricsRoutes first: its request hooks are global and reach only the modules registered after it.
export const routes: FastifyPluginAsync[] = [metricsRoutes, systemRoutes, usersRoutes, itemsRoutes, eventsRoutes, recommendationRoutes, modelsRoutes, experimentsRoutes, dashboardRoutes];

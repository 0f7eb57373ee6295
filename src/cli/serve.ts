import { paramError } from '../core/errors.js';
import type { Command } from 'commander';
import { envPort, installShutdown, startServer } from '../serve/server.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the recommendation service (HTTP API, docs at /docs, dashboard at /dashboard)')
    .option('--port <n>', 'port (default env PORT, else 8080)')
    .option('--host <addr>', 'address to bind (default env HOST, else 0.0.0.0)')
    .option('--db <url>', 'storage URL (default env AFFINITY_DB, else sqlite://affinity-data/affinity.db)')
    .option('--demo', 'import a demo catalogue when the store is empty (MovieLens 100K or synthetic), print demo API keys')
    .option('--model <name>', 'model the engine trains (default: the engine default)')
    .option('--auth <mode>', "'on' (default) or 'off' (reads open; writes still need a write key)", 'on')
    .option('--quiet', 'no request log')
    .addHelpText(
      'after',
      `
Environment: PORT, HOST, AFFINITY_DB (sqlite://path, sqlite::memory:, postgres://...), AFFINITY_API_KEY (an admin key
accepted as given, 16-256 characters), AFFINITY_RATE_MAX (requests per minute per key, default 100000).
SIGTERM/SIGINT stop gracefully: in-flight requests finish, nothing acknowledged is lost.`,
    )
    .action(async (flags: { port?: string; host?: string; db?: string; demo?: boolean; model?: string; auth: string; quiet?: boolean }) => {
      if (flags.auth !== 'on' && flags.auth !== 'off') throw paramError('--auth', flags.auth, 'on or off');
      const rateMax = process.env.AFFINITY_RATE_MAX ? positiveInt('AFFINITY_RATE_MAX', process.env.AFFINITY_RATE_MAX) : undefined;
      const server = await startServer({
        port: flags.port !== undefined ? envPort(flags.port) : undefined,
        host: flags.host,
        dbUrl: flags.db,
        demo: flags.demo === true,
        auth: flags.auth,
        logger: flags.quiet ? false : { level: 'info' },
        limits: rateMax !== undefined ? { rateMax } : undefined,
        engineOptions: flags.model ? { model: flags.model } : {},
      });
      installShutdown(server);
      // Keep running until a signal; the action's promise resolves when the server has stopped.
      await new Promise<void>((resolveClosed) => server.app.server.on('close', () => resolveClosed()));
    });
}

function positiveInt(field: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw paramError(field, v, 'a positive integer');
  return n;
}

import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AffinityError } from './errors.js';

/**
 * Starts the worker module `name` (e.g. 'sim-worker') that sits beside the caller's module, given
 * the caller's `import.meta.url`. From compiled output (dist/*.js) that is the `.js` file. When
 * running from source under tsx (`node --import tsx`), Node 20 does not apply tsx's hooks to a
 * worker's entry point (the `.js` specifier is not mapped to `.ts`, and `.ts` is an unknown
 * extension there), so the worker starts from a one-line bootstrap that registers tsx in the worker
 * and then imports the `.ts` module.
 */
export function startWorker(callerUrl: string, name: string, opts: WorkerOptions): Worker {
  if (callerUrl.endsWith('.ts')) {
    const ts = new URL(`./${name}.ts`, callerUrl).href;
    let api: string;
    try {
      api = import.meta.resolve('tsx/esm/api');
    } catch {
      throw new AffinityError('E_UNSUPPORTED', `worker ${name}: running from TypeScript sources needs tsx (or build dist/ with npm run build)`);
    }
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
    return new Worker(boot, { ...opts, eval: true });
  }
  return new Worker(new URL(`./${name}.js`, callerUrl), opts);
}

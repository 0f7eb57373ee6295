import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` (e.g. 'sim-worker') that sits beside this file. From compiled
 * output (dist/*.js) that is `new URL('./sim-worker.js', import.meta.url)`. When running from source
 * under tsx (`node --import tsx`), Node 20 does not apply tsx's hooks to a worker's entry point
 * (the `.js` specifier is not mapped to the `.ts` file and `.ts` is an unknown extension there), so
 * the worker is started from a one-line bootstrap that registers tsx in the worker and then imports
 * the `.ts` module.
 */
export function startWorker(name: string, opts: WorkerOptions): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const ts = new URL(`./${name}.ts`, here).href;
    const api = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`;
    return new Worker(boot, { ...opts, eval: true });
  }
  return new Worker(new URL(`./${name}.js`, here), opts);
}

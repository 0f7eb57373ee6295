/**
 * The service as a child process, for the service benchmarks (bench/serve-*.ts) and the crash test
 * (test/serve/crash.test.ts): `affinity serve` started with PORT=0, HOST=127.0.0.1 (loopback only) and
 * AFFINITY_DB, its URL read from its start-up line; a POST /v1/events client; and an ingestion loop
 * that records the idempotency key of every event the service acknowledged (HTTP 200).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import type { EventInput } from '../src/store/types.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServiceOptions {
  /** Storage URL (AFFINITY_DB), e.g. sqlite:///tmp/x/affinity.db. */
  db: string;
  /** Admin API key (AFFINITY_API_KEY, 16-256 characters): read and write. */
  key: string;
  /** Model the engine trains (--model). */
  model?: string;
  /** 'dist' runs `node dist/cli/main.js serve` (after `npm run build`); 'src' runs src/cli/main.ts under tsx. */
  from?: 'dist' | 'src';
  /** Extra environment (e.g. AFFINITY_RATE_MAX). */
  env?: Record<string, string>;
  /** Give up waiting for the start-up line after this many ms (default 120000). */
  startTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Service {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Milliseconds from spawn to the "affinity service on" line. */
  startMs: number;
}

/** Starts `affinity serve` on a free loopback port and resolves once it listens. */
export async function startService(o: ServiceOptions): Promise<Service> {
  const from = o.from ?? 'src';
  const entry = from === 'dist' ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const args = [...entry, 'serve', '--quiet', ...(o.model ? ['--model', o.model] : [])];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...(o.env ?? {}), AFFINITY_DB: o.db, PORT: '0', HOST: '127.0.0.1', AFFINITY_API_KEY: o.key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`affinity serve did not start within ${o.startTimeoutMs ?? 120_000} ms; output:\n${out}`));
    }, o.startTimeoutMs ?? 120_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /affinity service on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((s) => {
      clearTimeout(timer);
      reject(new Error(`affinity serve exited before listening (code ${s.code}, signal ${s.signal}); output:\n${out}`));
    });
  });
  return { url, child, exited, output: () => out, startMs: performance.now() - t0 };
}

export interface PostResult {
  status: number;
  body: unknown;
}

/** POST /v1/events; network errors reject, HTTP errors resolve with their status. */
export async function postEvents(url: string, key: string, events: readonly EventInput[]): Promise<PostResult> {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ events }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body };
}

/** The n-th event of an ingestion run: keys `${prefix}-${n}`, 500 users x 200 items. */
export function loopEvent(prefix: string, n: number): EventInput {
  return { user: `u${(n * 7919) % 500}`, item: `i${(n * 104_729) % 200}`, type: n % 10 === 0 ? 'purchase' : 'view', key: `${prefix}-${n}` };
}

export interface LoopStats {
  /** Idempotency keys of the events in batches answered 200. */
  acked: string[];
  /** Keys of batches sent but not acknowledged (connection error or non-200): they may or may not be stored. */
  unacked: string[];
  requests: number;
  /** Requests answered 200 whose answer arrived after `markSignal()` was called. */
  ackedAfterSignal: number;
  /** Status code -> count (0 = network error). */
  statuses: Record<number, number>;
}

export interface IngestLoop {
  stats: LoopStats;
  /** Notes the moment a signal was sent (for ackedAfterSignal). */
  markSignal(): void;
  /** Stops sending new batches; resolves when every request in flight has settled. */
  stop(): Promise<LoopStats>;
  /** Resolves once this many batches have been acknowledged. */
  whenAcked(batches: number): Promise<void>;
}

/**
 * `concurrency` senders post batches of `batch` events back to back until stop() or until the service
 * stops answering (a sender quits after its first network error).
 */
export function ingestLoop(url: string, key: string, prefix: string, batch: number, concurrency: number): IngestLoop {
  const stats: LoopStats = { acked: [], unacked: [], requests: 0, ackedAfterSignal: 0, statuses: {} };
  let next = 0;
  let stopped = false;
  let signalled = false;
  let ackedBatches = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sender = async (): Promise<void> => {
    while (!stopped) {
      const events: EventInput[] = [];
      for (let k = 0; k < batch; k++) events.push(loopEvent(prefix, next++));
      stats.requests++;
      let status = 0;
      try {
        status = (await postEvents(url, key, events)).status;
      } catch {
        status = 0;
      }
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      const keys = events.map((e) => e.key as string);
      if (status === 200) {
        for (const k of keys) stats.acked.push(k);
        if (signalled) stats.ackedAfterSignal++;
        ackedBatches++;
        for (let w = waiters.length - 1; w >= 0; w--)
          if (ackedBatches >= waiters[w].n) {
            waiters[w].resolve();
            waiters.splice(w, 1);
          }
      } else {
        for (const k of keys) stats.unacked.push(k);
        if (status === 0) return;
      }
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, () => sender()));
  return {
    stats,
    markSignal: () => {
      signalled = true;
    },
    stop: async () => {
      stopped = true;
      await running;
      return stats;
    },
    whenAcked: (n) => (ackedBatches >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/** Every idempotency key stored in the events table (opens the store in this process). */
export async function storedKeys(db: string): Promise<{ keys: Set<string>; events: number }> {
  const store = await openStore(db);
  try {
    const keys = new Set<string>();
    let events = 0;
    for (let after = 0; ; ) {
      const page = await store.readEvents({ after, limit: 100_000, includeDeleted: true });
      for (const e of page.events) if (e.key !== null) keys.add(e.key);
      events += page.events.length;
      if (page.events.length === 0) break;
      after = page.next;
    }
    return { keys, events };
  } finally {
    await store.close();
  }
}

/** The acknowledged keys missing from a stored set (must be empty). */
export function missing(acked: readonly string[], stored: ReadonlySet<string>): string[] {
  return acked.filter((k) => !stored.has(k));
}

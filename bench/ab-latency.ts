/**
 * Sequential latency of GET /v1/users/{id}/recommendations on a running service, per way of choosing the
 * pipeline: pipeline=default, the running experiment (no pipeline: bucketing + impression queue), and a
 * named variant. Three passes over users 1..USERS (the first pass misses the list cache, the others hit).
 * Usage: AFFINITY_URL=http://127.0.0.1:8080 AFFINITY_KEY=<read key> [USERS=943] [VARIANT=item-knn] node --import tsx bench/ab-latency.ts
 */
const base = process.env.AFFINITY_URL ?? 'http://127.0.0.1:8080';
const key = process.env.AFFINITY_KEY ?? '';
const users = Number(process.env.USERS ?? 943);
const variant = process.env.VARIANT ?? 'item-knn';

async function run(q: string): Promise<string> {
  const t: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let u = 1; u <= users; u++) {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/users/${u}/recommendations?n=10${q}`, { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      await res.json();
      t.push(performance.now() - t0);
    }
  }
  t.sort((a, b) => a - b);
  return `${q || '(running experiment)'}: ${t.length} requests, p50 ${t[t.length >> 1].toFixed(2)} ms, p99 ${t[Math.floor(t.length * 0.99)].toFixed(2)} ms`;
}

console.log(await run('&pipeline=default'));
console.log(await run(''));
console.log(await run(`&pipeline=${variant}`));

import { AffinityError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { topK } from '../core/topk.js';
import type { Dataset } from '../data/dataset.js';
import { chooseOnboardingItems } from '../coldstart/onboarding.js';
import { scoreKnownUser } from '../coldstart/history.js';
import { createModel } from '../models/registry.js';
import { auc, ndcgAt, relevantSet } from './metrics.js';

/** A model to evaluate: registry name, params, and the label shown in reports. */
export interface ColdModelSpec {
  name: string;
  params: Record<string, string>;
  label?: string;
}

/** Parses `cold-items:0.2` / `cold-users:0,1,3,5,10`; null for any other protocol text. */
export function parseColdProtocol(text: string): { kind: 'cold-items'; fraction: number } | { kind: 'cold-users'; known: number[] } | null {
  const [kind, arg] = text.split(':');
  if (kind === 'cold-items') {
    const f = arg === undefined ? 0.2 : Number(arg);
    if (!(f > 0 && f < 1)) throw new AffinityError('E_PARAM', `--protocol: got ${JSON.stringify(text)}; expected cold-items:F with 0 < F < 1`, { field: '--protocol' });
    return { kind, fraction: f };
  }
  if (kind === 'cold-users') {
    const known = (arg ?? '0,1,3,5,10').split(',').map((s) => Number(s));
    if (known.some((n) => !(Number.isInteger(n) && n >= 0))) throw new AffinityError('E_PARAM', `--protocol: got ${JSON.stringify(text)}; expected cold-users:N,N,... with non-negative integers`, { field: '--protocol' });
    return { kind, known: [...new Set(known)].sort((a, b) => a - b) };
  }
  return null;
}

function relevantRow(data: Dataset, r: number, threshold: number | null): boolean {
  return threshold === null || data.value[r] >= threshold;
}

export interface ColdItemsReport {
  protocol: { kind: 'cold-items'; fraction: number; seed: number; data: string; coldItems: number; warmItems: number; trainRows: number; coldTestRows: number; warmTestRows: number; coldUsers: number; warmUsers: number };
  results: { model: string; label: string; fitSeconds: number; metrics: Record<string, number> }[];
}

/**
 * Cold items: a seeded `fraction` of the items with rows is held out entirely; of the remaining
 * rows, 20% per user (users with >= 5 such rows) are the warm test set; models train on the rest.
 * Cold figures: for each user with a relevant cold row, AUC and NDCG@10 ranking only the cold items.
 * Warm figures: NDCG@10 and AUC over the warm items the user has not trained on.
 */
export async function evaluateColdItems(data: Dataset, models: ColdModelSpec[], opts: { fraction: number; seed: number; k?: number; threshold?: number | null; label?: string }): Promise<ColdItemsReport> {
  const k = opts.k ?? 10;
  const thr = opts.threshold ?? null;
  const rng = new Rng(opts.seed);
  const counts = data.itemCounts();
  const withRows: number[] = [];
  for (let i = 0; i < data.nItems; i++) if (counts[i] > 0) withRows.push(i);
  const perm = rng.permutation(withRows.length);
  const nCold = Math.round(withRows.length * opts.fraction);
  const cold = new Uint8Array(data.nItems);
  for (let t = 0; t < nCold; t++) cold[withRows[perm[t]]] = 1;
  const byUser: number[][] = Array.from({ length: data.nUsers }, () => []);
  const coldTest: number[] = [];
  for (let r = 0; r < data.size; r++) (cold[data.item[r]] ? coldTest : byUser[data.user[r]]).push(r);
  const train: number[] = [];
  const warmTest: number[] = [];
  for (const rows of byUser) {
    if (rows.length < 5) {
      train.push(...rows);
      continue;
    }
    const p = rng.permutation(rows.length);
    const nt = Math.round(rows.length * 0.2);
    for (let t = 0; t < rows.length; t++) (t < nt ? warmTest : train).push(rows[p[t]]);
  }
  train.sort((a, b) => a - b);
  const trainData = data.subset(train);
  const trainCounts = trainData.itemCounts();
  const warmCand = new Uint8Array(data.nItems);
  for (let i = 0; i < data.nItems; i++) warmCand[i] = !cold[i] && trainCounts[i] > 0 ? 1 : 0;
  const relOf = (rows: number[], onlyCand: Uint8Array): Map<number, number[]> => {
    const m = new Map<number, number[]>();
    for (const r of rows) {
      if (!relevantRow(data, r, thr) || !onlyCand[data.item[r]]) continue;
      const u = data.user[r];
      let l = m.get(u);
      if (!l) m.set(u, (l = []));
      l.push(data.item[r]);
    }
    return m;
  };
  const coldRel = relOf(coldTest, cold);
  const warmRel = relOf(warmTest, warmCand);
  const seen = trainData.csr();
  const results: ColdItemsReport['results'] = [];
  for (const spec of models) {
    const model = createModel(spec.name, spec.params);
    const fit = await model.fit(trainData);
    const s = new Float32Array(data.nItems);
    const masked = new Float32Array(data.nItems);
    let cAuc = 0, cNdcg = 0, cN = 0, wAuc = 0, wNdcg = 0, wN = 0;
    for (const [u, items] of coldRel) {
      model.scoreAll(u, s);
      const rel = relevantSet(Int32Array.from(new Set(items)).sort());
      for (let i = 0; i < s.length; i++) masked[i] = cold[i] ? s[i] : -Infinity;
      const a = auc(s, rel, cold);
      if (!Number.isNaN(a)) cAuc += a;
      cNdcg += ndcgAt(topK(masked, k).items, rel, k);
      cN++;
    }
    const cand = new Uint8Array(data.nItems);
    for (const [u, items] of warmRel) {
      model.scoreAll(u, s);
      cand.set(warmCand);
      for (let p = seen.indptr[u]; p < seen.indptr[u + 1]; p++) cand[seen.indices[p]] = 0;
      for (let i = 0; i < s.length; i++) masked[i] = cand[i] ? s[i] : -Infinity;
      const rel = relevantSet(Int32Array.from(new Set(items)).sort());
      const a = auc(s, rel, cand);
      if (!Number.isNaN(a)) wAuc += a;
      wNdcg += ndcgAt(topK(masked, k).items, rel, k);
      wN++;
    }
    results.push({
      model: spec.name,
      label: spec.label ?? spec.name,
      fitSeconds: fit.fitSeconds,
      metrics: { 'cold.auc': cN ? cAuc / cN : NaN, [`cold.ndcg@${k}`]: cN ? cNdcg / cN : NaN, 'warm.auc': wN ? wAuc / wN : NaN, [`warm.ndcg@${k}`]: wN ? wNdcg / wN : NaN },
    });
  }
  return {
    protocol: { kind: 'cold-items', fraction: opts.fraction, seed: opts.seed, data: opts.label ?? data.source, coldItems: nCold, warmItems: withRows.length - nCold, trainRows: train.length, coldTestRows: coldTest.length, warmTestRows: warmTest.length, coldUsers: coldRel.size, warmUsers: warmRel.size },
    results,
  };
}

export interface ColdUsersReport {
  protocol: { kind: 'cold-users'; known: number[]; testFraction: number; minRows: number; seed: number; data: string; testUsers: number; trainRows: number; onboarding: string };
  /** Per model, NDCG@k for each number of known interactions (keys: '0', '1', ...). */
  results: { model: string; label: string; fitSeconds: number; metrics: Record<string, number> }[];
}

/**
 * New users: a seeded `testFraction` of the users with at least `minRows` rows are test users (all
 * their rows out of training). Each test user's rows are shuffled (seeded); for n in `known`, the
 * first n are the known history (scoreKnownUser: the model's cold-user scores at n = 0, fold-in via
 * scoreHistory otherwise) and the rows after position max(known) are the targets, the same for every
 * n. NDCG@k over the items not known. Spec label 'onboarding:<model>' instead takes as known the
 * user's first n items in the onboarding list (chooseOnboardingItems on the training data, by
 * `category` when given; `onboardingSize` items, default min(50, nItems / 10)), i.e. the answers to "which of these have you seen?". So that every method
 * has the same targets, the onboarding items are neither targets nor candidates for any method.
 */
export async function evaluateColdUsers(
  data: Dataset,
  models: ColdModelSpec[],
  opts: { known: number[]; seed: number; testFraction?: number; minRows?: number; k?: number; threshold?: number | null; category?: string; onboardingSize?: number; label?: string },
): Promise<ColdUsersReport> {
  const k = opts.k ?? 10;
  const thr = opts.threshold ?? null;
  const maxKnown = Math.max(0, ...opts.known);
  const minRows = opts.minRows ?? maxKnown + 5;
  const frac = opts.testFraction ?? 0.2;
  const rng = new Rng(opts.seed);
  const csr = data.csr();
  const eligible: number[] = [];
  for (let u = 0; u < data.nUsers; u++) if (csr.indptr[u + 1] - csr.indptr[u] >= minRows) eligible.push(u);
  const perm = rng.permutation(eligible.length);
  const isTest = new Uint8Array(data.nUsers);
  const nTest = Math.round(eligible.length * frac);
  const testUsers: number[] = [];
  for (let t = 0; t < nTest; t++) testUsers.push(eligible[perm[t]]);
  testUsers.sort((a, b) => a - b);
  for (const u of testUsers) isTest[u] = 1;
  const train: number[] = [];
  for (let r = 0; r < data.size; r++) if (!isTest[data.user[r]]) train.push(r);
  const trainData = data.subset(train);
  const orders = testUsers.map((u) => {
    const s = csr.indptr[u];
    const n = csr.indptr[u + 1] - s;
    const p = rng.permutation(n);
    return { u, items: Array.from(p, (q) => csr.indices[s + q]), values: Array.from(p, (q) => csr.data[s + q]) };
  });
  // at most a tenth of the catalogue, so that small catalogues keep targets (ML-100K: 50)
  const onboarding = chooseOnboardingItems(trainData, { n: opts.onboardingSize ?? Math.min(50, Math.floor(data.nItems / 10)), category: opts.category });
  const asked = new Uint8Array(data.nItems);
  for (const i of onboarding) asked[i] = 1;
  const results: ColdUsersReport['results'] = [];
  for (const spec of models) {
    const model = createModel(spec.name, spec.params);
    const fit = await model.fit(trainData);
    const isOnb = (spec.label ?? '').startsWith('onboarding');
    const s = new Float32Array(data.nItems);
    const metrics: Record<string, number> = {};
    for (const n of opts.known) {
      let total = 0;
      let users = 0;
      for (const o of orders) {
        let known: number[];
        let vals: number[];
        if (isOnb) {
          const pos = new Map(o.items.map((it, j) => [it, j]));
          known = [];
          vals = [];
          for (let t = 0; t < onboarding.length && known.length < n; t++) {
            const j = pos.get(onboarding[t]);
            if (j !== undefined) (known.push(onboarding[t]), vals.push(o.values[j]));
          }
        } else {
          known = o.items.slice(0, n);
          vals = o.values.slice(0, n);
        }
        const knownSet = new Set(known);
        const targets: number[] = [];
        for (let j = maxKnown; j < o.items.length; j++) if (!knownSet.has(o.items[j]) && !asked[o.items[j]] && (thr === null || o.values[j] >= thr)) targets.push(o.items[j]);
        if (targets.length === 0) continue;
        scoreKnownUser(model, o.u, known, vals, s);
        for (const i of known) s[i] = -Infinity;
        for (const i of onboarding) s[i] = -Infinity;
        total += ndcgAt(topK(s, k).items, relevantSet(Int32Array.from(targets).sort()), k);
        users++;
      }
      metrics[String(n)] = users ? total / users : NaN;
    }
    results.push({ model: spec.name, label: spec.label ?? spec.name, fitSeconds: fit.fitSeconds, metrics });
  }
  return {
    protocol: { kind: 'cold-users', known: opts.known, testFraction: frac, minRows, seed: opts.seed, data: opts.label ?? data.source, testUsers: testUsers.length, trainRows: train.length, onboarding: opts.category ? `by ${opts.category}` : 'popularity x entropy' },
    results,
  };
}

/** A terminal table of a cold-start report (one row per model). */
export function formatColdTable(rep: ColdItemsReport | ColdUsersReport): string {
  const keys = [...new Set(rep.results.flatMap((r) => Object.keys(r.metrics)))];
  const head = rep.protocol.kind === 'cold-users' ? keys.map((k) => `ndcg@10 n=${k}`) : keys;
  const rows = rep.results.map((r) => [r.label, ...keys.map((k) => (Number.isFinite(r.metrics[k]) ? r.metrics[k].toFixed(4) : '-')), r.fitSeconds.toFixed(2)]);
  const all = [['model', ...head, 'fit s'], ...rows];
  const w = all[0].map((_, j) => Math.max(...all.map((r) => r[j].length)));
  const line = (r: string[]): string => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [`protocol: ${JSON.stringify(rep.protocol)}`, line(all[0]), ...rows.map(line)].join('\n');
}

/**
 * A simple candidate generator over fitted models (e.g. item-knn + popularity), for training sets,
 * tests and benchmarks: each source gets a quota, in order; remaining slots are filled from the
 * sources in order (fallback), without duplicates and without the user's history.
 * (The pipeline's own sources live in src/pipeline/candidates/; any `(req, n) => CandidateSet` will do.)
 */
import { paramError } from '../core/errors.js';
import type { Recommender, ScoredItems } from '../models/recommender.js';
import type { CandidateSet, RequestContext } from '../pipeline/types.js';

export type CandidateGenerator = (req: RequestContext, n: number) => CandidateSet;

export interface ModelSource {
  name: string;
  model: Recommender;
  /** Share of the n slots reserved for this source (quotas are normalised over the sources). */
  quota: number;
}

export function modelCandidates(sources: ModelSource[]): CandidateGenerator {
  if (sources.length === 0 || sources.length > 255) throw paramError('sources', sources.length, '1..255 candidate sources');
  const total = sources.reduce((s, x) => s + x.quota, 0);
  if (!(total > 0) || sources.some((s) => !(s.quota >= 0))) throw paramError('quota', sources.map((s) => s.quota), 'non-negative quotas with a positive sum');
  const names = sources.map((s) => s.name);
  return (req, n) => {
    const lists: ScoredItems[] = sources.map((s) => {
      const opts = { n: n + req.history.items.length };
      if (req.user >= 0 && req.user < s.model.users.size) return s.model.recommend(req.user, { ...opts, seen: req.history.items });
      return s.model.recommendHistory(req.history.items, null, opts);
    });
    const taken = new Set<number>();
    const items: number[] = [];
    const scores: number[] = [];
    const src: number[] = [];
    const pos = new Int32Array(sources.length);
    const take = (s: number, limit: number): void => {
      const l = lists[s];
      while (items.length < limit && pos[s] < l.items.length) {
        const i = l.items[pos[s]];
        const sc = l.scores[pos[s]++];
        if (taken.has(i)) continue;
        taken.add(i);
        items.push(i);
        scores.push(sc);
        src.push(s);
      }
    };
    let acc = 0;
    for (let s = 0; s < sources.length; s++) {
      acc += sources[s].quota;
      take(s, Math.round((n * acc) / total));
    }
    for (let s = 0; s < sources.length && items.length < n; s++) take(s, n);
    return { items: Int32Array.from(items), sourceScore: Float32Array.from(scores), source: Uint8Array.from(src), sourceNames: names };
  };
}

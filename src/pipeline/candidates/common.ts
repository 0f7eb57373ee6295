import type { ScoredItems } from '../../models/recommender.js';

/** Takes up to n items of (items, scores) not excluded, in order. */
export function filterTop(items: ArrayLike<number>, scores: ArrayLike<number>, n: number, exclude: Uint8Array | null): ScoredItems {
  const m = Math.min(n, items.length);
  const oi = new Int32Array(m);
  const os = new Float32Array(m);
  let k = 0;
  const el = exclude ? exclude.length : 0;
  for (let i = 0; i < items.length && k < m; i++) {
    const it = items[i];
    if (exclude && it < el && exclude[it] !== 0) continue;
    oi[k] = it;
    os[k++] = scores[i];
  }
  return k === m ? { items: oi, scores: os } : { items: oi.slice(0, k), scores: os.slice(0, k) };
}

/** Item indices, best first, by descending score (ties to the smaller index); -Infinity/NaN dropped. */
export function orderByScore(scores: ArrayLike<number>): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > -Infinity) idx.push(i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return Int32Array.from(idx);
}

/** The last `k` distinct items of a history (most recent first). */
export function recentItems(history: Int32Array, k: number): Int32Array {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = history.length - 1; i >= 0 && out.length < k; i--) {
    const it = history[i];
    if (seen.has(it)) continue;
    seen.add(it);
    out.push(it);
  }
  return Int32Array.from(out);
}

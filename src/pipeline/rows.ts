/**
 * Presentation rows for one user: "Top picks for you", several "Because you watched X" (one per
 * anchor: the user's recent highly-rated items -> similar items by the model's similarItems or a
 * given `similar` function), "Trending now" and "New releases". Rows are filled in `order` (default
 * top, because, trending, new) and no item appears twice across rows; seen items are left out.
 */
import { paramError } from '../core/errors.js';
import { topK } from '../core/topk.js';
import type { Recommender, ScoredItems } from '../models/recommender.js';
import type { ItemCatalog } from './catalog.js';
import { memberRawScores } from './groups.js';
import type { RequestContext } from './types.js';

export type RowKind = 'top' | 'because' | 'trending' | 'new';

export interface Row {
  id: string;
  kind: RowKind;
  title: string;
  reason: string;
  /** The anchor item of a 'because' row, else -1. */
  anchor: number;
  items: Int32Array;
  scores: Float32Array;
}

export interface RowOptions {
  /** Items per row (default 10). */
  perRow?: number;
  /** Most "Because you watched" rows (default 3). */
  becauseRows?: number;
  /** History values at least this count as highly rated (default 4 when the history has values above 1, else any > 0). */
  minValue?: number;
  order?: RowKind[];
  /** Verb of "Because you <verb> X" (default 'watched'). */
  verb?: string;
  /** New releases: only items younger than this many days (default: no limit, newest first). */
  newDays?: number;
  /** Age for new releases from 'firstSeen' (default) or 'release'. */
  newFrom?: 'firstSeen' | 'release';
  /** Similar items of an anchor (default: model.similarItems). */
  similar?: (item: number, n: number) => ScoredItems;
  /** Rows with fewer items are left out (default 1). */
  minItems?: number;
}

const KINDS: readonly RowKind[] = ['top', 'because', 'trending', 'new'];

export function buildRows(model: Recommender, req: RequestContext, catalog: ItemCatalog, opts: RowOptions = {}): Row[] {
  const perRow = opts.perRow ?? 10;
  if (!Number.isInteger(perRow) || perRow < 1) throw paramError('perRow', opts.perRow, 'an integer >= 1');
  const nBecause = opts.becauseRows ?? 3;
  if (!Number.isInteger(nBecause) || nBecause < 0) throw paramError('becauseRows', opts.becauseRows, 'an integer >= 0');
  const order = opts.order ?? ['top', 'because', 'trending', 'new'];
  order.forEach((k, i) => {
    if (!KINDS.includes(k)) throw paramError(`order[${i}]`, k, `one of ${KINDS.join(', ')}`);
  });
  const minItems = opts.minItems ?? 1;
  const verb = opts.verb ?? 'watched';
  const N = catalog.nItems;
  const used = new Uint8Array(N);
  const h = req.history;
  for (const it of h.items) if (it >= 0 && it < N) used[it] = 1;
  if (req.user >= 0 && req.user < model.seen.nRows) {
    const s = model.seen;
    for (let p = s.indptr[req.user]; p < s.indptr[req.user + 1]; p++) used[s.indices[p]] = 1;
  }
  const rows: Row[] = [];
  const take = (cand: ScoredItems, limit: number): { items: Int32Array; scores: Float32Array } => {
    const it: number[] = [];
    const sc: number[] = [];
    for (let k = 0; k < cand.items.length && it.length < limit; k++) {
      const i = cand.items[k];
      if (i < 0 || i >= N || used[i] || !(cand.scores[k] > -Infinity)) continue;
      used[i] = 1;
      it.push(i);
      sc.push(cand.scores[k]);
    }
    return { items: Int32Array.from(it), scores: Float32Array.from(sc) };
  };
  const fromScores = (s: Float32Array | Float64Array): { items: Int32Array; scores: Float32Array } => take(topK(s, perRow, (i) => used[i] !== 0), perRow);
  const push = (r: Omit<Row, 'items' | 'scores'>, l: { items: Int32Array; scores: Float32Array }): void => {
    if (l.items.length >= minItems) rows.push({ ...r, ...l });
  };
  const similar = opts.similar ?? (model.capabilities.similarItems ? (i: number, n: number) => model.similarItems(i, n) : null);

  for (const kind of order) {
    if (kind === 'top') {
      const s = new Float32Array(N);
      memberRawScores(model, req, s);
      push({ id: 'top', kind, title: 'Top picks for you', reason: 'Top pick for you', anchor: -1 }, fromScores(s));
    } else if (kind === 'trending') {
      push({ id: 'trending', kind, title: 'Trending now', reason: 'Popular this week', anchor: -1 }, fromScores(catalog.trending));
    } else if (kind === 'new') {
      const s = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const age = catalog.ageDays(i, req.now, opts.newFrom ?? 'firstSeen');
        s[i] = age === age && age >= 0 && (opts.newDays === undefined || age < opts.newDays) ? -age : -Infinity;
      }
      push({ id: 'new', kind, title: 'New releases', reason: 'New release', anchor: -1 }, fromScores(s));
    } else if (similar) {
      for (const a of anchors(h.items, h.values, nBecause, opts.minValue)) {
        const label = `Because you ${verb} ${catalog.title(a)}`;
        push({ id: `because:${a}`, kind, title: label, reason: label, anchor: a }, take(similar(a, perRow * 3 + h.items.length), perRow));
      }
    }
  }
  return rows;
}

/** Up to k distinct anchor items: the most recent history items with value >= minValue. */
export function anchors(items: Int32Array, values: Float32Array, k: number, minValue?: number): number[] {
  let maxV = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > maxV) maxV = values[i];
  const thr = minValue ?? (maxV > 1 ? 4 : Number.MIN_VALUE);
  const out: number[] = [];
  for (let i = items.length - 1; i >= 0 && out.length < k; i--) {
    const v = values.length ? values[i] : 1;
    if (v >= thr && !out.includes(items[i])) out.push(items[i]);
  }
  return out;
}

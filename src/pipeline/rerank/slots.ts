/**
 * Position-changing re-rankers: pinned or sponsored slots, and exploration with a slot budget.
 *
 * Exploration looks at the first `ctx.n` positions (the shown window, default 10) and the pool of
 * list items behind it. At most `slots` pool items are brought into the window:
 *  - 'epsilon': each window position becomes an exploration slot with probability epsilon (until the
 *    budget is spent) and gets a uniformly random pool item;
 *  - 'ucb': the pool items with the highest CTR + c * sqrt(ln(T + 1) / (impressions + 1));
 *  - 'thompson': the pool items with the highest draw from Beta(clicks + 1, impressions - clicks + 1).
 * For 'ucb' and 'thompson' the slots are `positions` (default: the last `slots` window positions).
 * Draws come from a generator seeded by (seed, user, request time).
 */
import { paramError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { RequestContext } from '../types.js';
import { requestRng, withSource, type RankedList, type Reranker, type RerankContext } from './types.js';

export interface Pin {
  /** Internal item index, or an external id (resolved through the catalogue's id map). */
  item: number | string;
  /** 0-based position. */
  position: number;
  sponsored?: boolean;
}

/** Inserts list entries at fixed positions; returns a new list whose added entries use `code`. */
function insertAt(list: RankedList, moves: { item: number; position: number; code: number; anchor: number }[], names: string[]): RankedList {
  const fixed = moves.slice().sort((a, b) => a.position - b.position);
  const taken = new Set(fixed.map((m) => m.item));
  const restIdx: number[] = [];
  for (let k = 0; k < list.items.length; k++) if (!taken.has(list.items[k])) restIdx.push(k);
  const total = restIdx.length + fixed.length;
  const items = new Int32Array(total);
  const scores = new Float32Array(total);
  const source = new Uint8Array(total);
  const anchor = new Int32Array(total);
  let r = 0;
  let f = 0;
  for (let pos = 0; pos < total; pos++) {
    if (f < fixed.length && (fixed[f].position <= pos || r >= restIdx.length)) {
      const m = fixed[f++];
      items[pos] = m.item;
      // keep the list's score at this position so that scores stay in a sensible range
      const orig = list.items.indexOf(m.item);
      scores[pos] = orig >= 0 ? list.scores[orig] : r < restIdx.length ? list.scores[restIdx[r]] : pos > 0 ? scores[pos - 1] : 0;
      source[pos] = m.code;
      anchor[pos] = m.anchor;
    } else {
      const k = restIdx[r++];
      items[pos] = list.items[k];
      scores[pos] = list.scores[k];
      source[pos] = list.source[k];
      anchor[pos] = list.anchor ? list.anchor[k] : -1;
    }
  }
  const out: RankedList = { items, scores, source, sourceNames: names };
  if (list.anchor) out.anchor = anchor;
  return out;
}

/**
 * Pinned or sponsored items at fixed positions (source 'pinned' or 'sponsored'). Pins of items the
 * user has in their history, hidden or out-of-stock items are skipped (unless `keepUnavailable`).
 */
export class PinReranker implements Reranker {
  readonly name = 'pin';
  readonly pins: Pin[];
  constructor(o: { pins: Pin[]; keepUnavailable?: boolean }) {
    if (!Array.isArray(o.pins)) throw paramError('pins', o.pins, 'a list of { item, position }');
    o.pins.forEach((p, i) => {
      if (typeof p.item !== 'number' && typeof p.item !== 'string') throw paramError(`pins[${i}].item`, p.item, 'an item index or external id');
      if (!Number.isInteger(p.position) || p.position < 0) throw paramError(`pins[${i}].position`, p.position, 'an integer >= 0');
    });
    this.pins = o.pins;
    this.keepUnavailable = o.keepUnavailable ?? false;
  }
  private readonly keepUnavailable: boolean;

  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const c = ctx.catalog;
    const seen = new Set(req.history.items);
    let names = list.sourceNames;
    const moves: { item: number; position: number; code: number; anchor: number }[] = [];
    const used = new Set<number>();
    const usedPos = new Set<number>();
    for (const p of this.pins) {
      const it = typeof p.item === 'number' ? p.item : c.ids ? c.ids.get(p.item) : -1;
      if (!(it >= 0 && it < c.nItems) || used.has(it) || usedPos.has(p.position)) continue;
      if (!this.keepUnavailable && (seen.has(it) || c.hidden[it] || c.outOfStock[it])) continue;
      const s = withSource({ ...list, sourceNames: names }, p.sponsored ? 'sponsored' : 'pinned');
      names = s.names;
      used.add(it);
      usedPos.add(p.position);
      moves.push({ item: it, position: p.position, code: s.code, anchor: -1 });
    }
    return moves.length ? insertAt(list, moves, names) : list;
  }
}

export type ExploreStrategy = 'epsilon' | 'ucb' | 'thompson';

export interface ExploreOptions {
  strategy: ExploreStrategy;
  /** Budget: most exploration items per list. */
  slots: number;
  epsilon?: number;
  /** UCB exploration weight (default 1). */
  c?: number;
  /** Window positions for 'ucb' / 'thompson' slots. */
  positions?: number[];
  seed?: number;
}

export class ExploreReranker implements Reranker {
  readonly name = 'explore';
  readonly o: Required<Omit<ExploreOptions, 'positions' | 'seed'>> & { positions: number[] | null; seed: number | null };
  constructor(o: ExploreOptions) {
    if (o.strategy !== 'epsilon' && o.strategy !== 'ucb' && o.strategy !== 'thompson') throw paramError('strategy', o.strategy, "'epsilon', 'ucb' or 'thompson'");
    if (!Number.isInteger(o.slots) || o.slots < 0) throw paramError('slots', o.slots, 'an integer >= 0');
    const eps = o.epsilon ?? 0.1;
    if (!(eps >= 0 && eps <= 1)) throw paramError('epsilon', o.epsilon, 'a number in [0, 1]');
    const c = o.c ?? 1;
    if (!(c >= 0) || !Number.isFinite(c)) throw paramError('c', o.c, 'a number >= 0');
    if (o.positions !== undefined && (!Array.isArray(o.positions) || o.positions.some((p) => !Number.isInteger(p) || p < 0))) {
      throw paramError('positions', o.positions, 'a list of integers >= 0');
    }
    this.o = { strategy: o.strategy, slots: o.slots, epsilon: eps, c, positions: o.positions ?? null, seed: o.seed ?? null };
  }

  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const n = Math.min(ctx.n ?? 10, list.items.length);
    const poolSize = list.items.length - n;
    if (this.o.slots === 0 || poolSize <= 0 || n === 0) return list;
    const rng = requestRng(this.o.seed ?? ctx.seed ?? 0, req);
    const { names, code } = withSource(list, 'explore');
    const moves: { item: number; position: number; code: number; anchor: number }[] = [];
    const anchorAt = (k: number): number => (list.anchor ? list.anchor[k] : -1);
    if (this.o.strategy === 'epsilon') {
      const chosen = new Set<number>();
      for (let pos = 0; pos < n && moves.length < this.o.slots && chosen.size < poolSize; pos++) {
        if (rng.next() >= this.o.epsilon) continue;
        let k: number;
        do k = n + rng.int(poolSize);
        while (chosen.has(k));
        chosen.add(k);
        moves.push({ item: list.items[k], position: pos, code, anchor: anchorAt(k) });
      }
    } else {
      const budget = Math.min(this.o.slots, poolSize, n);
      const value = new Float64Array(poolSize);
      const stats = ctx.stats;
      const total = stats ? stats.totalImpressions() : 0;
      for (let j = 0; j < poolSize; j++) {
        const it = list.items[n + j];
        const imp = stats ? stats.impressions(it) : 0;
        const clk = Math.min(stats ? stats.clicks(it) : 0, imp);
        value[j] =
          this.o.strategy === 'ucb'
            ? (imp > 0 ? clk / imp : 0) + this.o.c * Math.sqrt(Math.log(total + 1) / (imp + 1))
            : betaSample(rng, clk + 1, imp - clk + 1);
      }
      const idx = Array.from({ length: poolSize }, (_, j) => j).sort((a, b) => value[b] - value[a] || a - b);
      const positions = (this.o.positions ?? Array.from({ length: budget }, (_, i) => n - budget + i)).filter((p) => p < n);
      const uniq = [...new Set(positions)].slice(0, budget);
      uniq.forEach((pos, i) => {
        const k = n + idx[i];
        moves.push({ item: list.items[k], position: pos, code, anchor: anchorAt(k) });
      });
    }
    return moves.length ? insertAt(list, moves, names) : list;
  }
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape >= 1; smaller shapes via the boost U^(1/a)). */
export function gammaSample(rng: Rng, shape: number): number {
  if (shape < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return gammaSample(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function betaSample(rng: Rng, a: number, b: number): number {
  const x = gammaSample(rng, a);
  const y = gammaSample(rng, b);
  return x / (x + y);
}

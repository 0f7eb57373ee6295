/**
 * Caps and adjacency: at most `max` items per category or group among the shown items, and no two
 * items of the same group (or first category) next to each other.
 */
import { paramError } from '../../core/errors.js';
import type { ItemCatalog } from '../catalog.js';
import type { RequestContext } from '../types.js';
import { pick, type RankedList, type Reranker, type RerankContext } from './types.js';

export type CapKey = 'category' | 'group';

export interface CapOptions {
  /** Cap per category (an item counts for each of its categories) or per group. */
  by: CapKey;
  max: number;
  /** 'demote' (default): items over the cap move behind the others, in order; 'drop': removed. */
  mode?: 'demote' | 'drop';
}

export class CapReranker implements Reranker {
  readonly name = 'cap';
  constructor(readonly o: CapOptions) {
    if (o.by !== 'category' && o.by !== 'group') throw paramError('by', o.by, "'category' or 'group'");
    if (!Number.isInteger(o.max) || o.max < 1) throw paramError('max', o.max, 'an integer >= 1');
    if (o.mode !== undefined && o.mode !== 'demote' && o.mode !== 'drop') throw paramError('mode', o.mode, "'demote' or 'drop'");
  }

  apply(list: RankedList, _req: RequestContext, ctx: RerankContext): RankedList {
    const cat = ctx.catalog;
    const nKeys = this.o.by === 'category' ? cat.categoryNames.length : cat.groupNames.length;
    const count = new Int32Array(nKeys);
    const keep: number[] = [];
    const over: number[] = [];
    for (let k = 0; k < list.items.length; k++) {
      const it = list.items[k];
      let ok = true;
      if (this.o.by === 'group') {
        const g = cat.group[it];
        if (g >= 0 && count[g] >= this.o.max) ok = false;
        else if (g >= 0) count[g]++;
      } else {
        const s = cat.catIndptr[it];
        const e = cat.catIndptr[it + 1];
        for (let p = s; p < e; p++) if (count[cat.catCodes[p]] >= this.o.max) ok = false;
        if (ok) for (let p = s; p < e; p++) count[cat.catCodes[p]]++;
      }
      (ok ? keep : over).push(k);
    }
    return pick(list, this.o.mode === 'drop' ? keep : keep.concat(over));
  }
}

export interface AdjacencyOptions {
  /** 'group' (default) or 'category' (the item's first category). */
  by?: CapKey;
  /** How far ahead to look for an item of another group (default: the whole list). */
  window?: number;
}

/**
 * No two neighbours of the same group: at each position takes the first remaining item whose group
 * differs from the previous item's (within `window` positions); when none does, the next in order.
 */
export class NoAdjacentReranker implements Reranker {
  readonly name = 'no-adjacent';
  readonly by: CapKey;
  readonly window: number;
  constructor(o: AdjacencyOptions = {}) {
    this.by = o.by ?? 'group';
    if (this.by !== 'category' && this.by !== 'group') throw paramError('by', o.by, "'category' or 'group'");
    this.window = o.window ?? Infinity;
    if (!(this.window >= 1)) throw paramError('window', o.window, 'an integer >= 1');
  }

  apply(list: RankedList, _req: RequestContext, ctx: RerankContext): RankedList {
    const m = list.items.length;
    const key = keyOf(ctx.catalog, this.by);
    const rest: number[] = Array.from({ length: m }, (_, k) => k);
    const order: number[] = [];
    let prev = -1;
    while (rest.length) {
      let chosen = 0;
      const lim = Math.min(rest.length, this.window);
      for (let j = 0; j < lim; j++) {
        const g = key(list.items[rest[j]]);
        if (prev < 0 || g < 0 || g !== prev) {
          chosen = j;
          break;
        }
      }
      const k = rest.splice(chosen, 1)[0];
      order.push(k);
      prev = key(list.items[k]);
    }
    return pick(list, order);
  }
}

function keyOf(cat: ItemCatalog, by: CapKey): (item: number) => number {
  if (by === 'group') return (it) => cat.group[it];
  return (it) => (cat.catIndptr[it + 1] > cat.catIndptr[it] ? cat.catCodes[cat.catIndptr[it]] : -1);
}

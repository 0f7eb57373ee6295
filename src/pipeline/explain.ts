/**
 * An explanation for every item of a final list: the source that produced it and a reason a person
 * can read. Reasons follow the source name:
 *   sponsored -> "Sponsored"; pinned -> "Featured"; explore -> "Exploring something different";
 *   an anchor (the history item behind an item-to-item or content candidate) -> "Because you watched X";
 *   popular / trending -> "Popular in <category> this week"; new -> "New release";
 *   anything else -> "Top pick for you" (or "New release" when the item is younger than `newDays`).
 * Item-to-item or content candidates without an anchor get the most recent history item sharing the
 * most categories with them as anchor, when there is one.
 */
import type { ItemCatalog } from './catalog.js';
import type { RankedList } from './rerank/types.js';
import type { RequestContext } from './types.js';

export type ReasonKind = 'sponsored' | 'pinned' | 'explore' | 'because' | 'popular' | 'new' | 'top';

export interface Explanation {
  source: string;
  kind: ReasonKind;
  reason: string;
  /** The history item behind a 'because' reason, else -1. */
  anchor: number;
}

export interface ExplainOptions {
  /** Verb of "Because you <verb> X" (default 'watched'). */
  verb?: string;
  /** Items first seen (or released) less than this many days ago count as new (default 30; 0 = off). */
  newDays?: number;
  /** Phrase after "Popular in <category>" (default 'this week'). */
  period?: string;
}

const SIMILARITY_SOURCE = /item2item|i2i|similar|content|knn|anchor|because/i;

function classify(name: string): ReasonKind | null {
  const s = name.toLowerCase();
  if (s.includes('sponsor')) return 'sponsored';
  if (s.includes('pin') || s.includes('featured')) return 'pinned';
  if (s.includes('explor')) return 'explore';
  if (s.includes('popular') || s.includes('trend')) return 'popular';
  if (s === 'new' || s.startsWith('new') || s.includes('fresh')) return 'new';
  return null;
}

/** The most recent history item sharing the most categories with `item` (-1 when none shares any). */
export function bestAnchor(catalog: ItemCatalog, item: number, history: Int32Array, lookback = 50): number {
  const mine = catalog.categoriesOf(item);
  if (mine.length === 0) return -1;
  let best = -1;
  let bestN = 0;
  for (let h = history.length - 1; h >= 0 && h >= history.length - lookback; h--) {
    const a = history[h];
    if (a === item) continue;
    const cs = catalog.categoriesOf(a);
    let n = 0;
    for (let i = 0; i < cs.length; i++) if (mine.includes(cs[i])) n++;
    if (n > bestN) {
      bestN = n;
      best = a;
    }
  }
  return best;
}

/** One explanation per list entry. */
export function explainList(list: RankedList, req: RequestContext, catalog: ItemCatalog, opts: ExplainOptions = {}): Explanation[] {
  const verb = opts.verb ?? 'watched';
  const newDays = opts.newDays ?? 30;
  const period = opts.period ?? 'this week';
  const out: Explanation[] = [];
  for (let k = 0; k < list.items.length; k++) {
    const item = list.items[k];
    const source = list.sourceNames[list.source[k]] ?? 'unknown';
    let kind = classify(source);
    let anchor = list.anchor ? list.anchor[k] : -1;
    if (anchor === item) anchor = -1;
    if (kind === null && anchor < 0 && SIMILARITY_SOURCE.test(source)) anchor = bestAnchor(catalog, item, req.history.items);
    if (kind === null && anchor >= 0) kind = 'because';
    if (kind === null) {
      const age = catalog.ageDays(item, req.now);
      kind = newDays > 0 && age >= 0 && age < newDays ? 'new' : 'top';
    }
    if (kind !== 'because') anchor = -1;
    out.push({ source, kind, anchor, reason: reasonText(kind, item, anchor, catalog, verb, period) });
  }
  return out;
}

/** Just the reason strings (PipelineResult.explanations). */
export function explainReasons(list: RankedList, req: RequestContext, catalog: ItemCatalog, opts: ExplainOptions = {}): string[] {
  return explainList(list, req, catalog, opts).map((e) => e.reason);
}

function reasonText(kind: ReasonKind, item: number, anchor: number, catalog: ItemCatalog, verb: string, period: string): string {
  switch (kind) {
    case 'sponsored':
      return 'Sponsored';
    case 'pinned':
      return 'Featured';
    case 'explore':
      return 'Exploring something different';
    case 'because':
      return `Because you ${verb} ${catalog.title(anchor)}`;
    case 'popular': {
      const c = catalog.firstCategoryName(item);
      return c ? `Popular in ${c} ${period}` : `Popular ${period}`;
    }
    case 'new':
      return 'New release';
    case 'top':
      return 'Top pick for you';
  }
}

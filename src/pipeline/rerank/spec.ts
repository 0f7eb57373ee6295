/**
 * Re-rankers from plain data (a pipeline configuration's `rerank` list). Each entry is an object
 * with a `type` and that re-ranker's options; errors name the path (e.g. `rerank[2].lambda`).
 */
import { AffinityError, paramError } from '../../core/errors.js';
import type { ItemCatalog } from '../catalog.js';
import { AvailabilityFilter, FatigueReranker, FreshnessBoost, NoveltyBoost, RuleBoost, RuleFilter } from './boosts.js';
import { CapReranker, NoAdjacentReranker } from './caps.js';
import { MmrReranker } from './mmr.js';
import { ExploreReranker, PinReranker, type Pin } from './slots.js';
import type { Reranker } from './types.js';

export type RerankSpec =
  | { type: 'mmr'; lambda: number; depth?: number; similarity?: 'categories' | 'vectors' }
  | { type: 'cap'; by: 'category' | 'group'; max: number; mode?: 'demote' | 'drop' }
  | { type: 'no-adjacent'; by?: 'category' | 'group'; window?: number }
  | { type: 'freshness'; weight?: number; halfLifeDays?: number; from?: 'firstSeen' | 'release' }
  | { type: 'novelty'; weight?: number }
  | { type: 'filter'; expr: string }
  | { type: 'boost'; when: string; factor: number | string }
  | { type: 'pin'; pins: Pin[]; keepUnavailable?: boolean }
  | { type: 'availability'; unknownAge?: 'allow' | 'deny'; outOfStock?: boolean; hidden?: boolean }
  | { type: 'fatigue'; maxShown: number; penalty?: number | 'last' | 'drop' }
  | { type: 'explore'; strategy: 'epsilon' | 'ucb' | 'thompson'; slots: number; epsilon?: number; c?: number; positions?: number[]; seed?: number };

export const RERANK_TYPES = ['mmr', 'cap', 'no-adjacent', 'freshness', 'novelty', 'filter', 'boost', 'pin', 'availability', 'fatigue', 'explore'] as const;

const KEYS: Record<(typeof RERANK_TYPES)[number], string[]> = {
  mmr: ['lambda', 'depth', 'similarity'],
  cap: ['by', 'max', 'mode'],
  'no-adjacent': ['by', 'window'],
  freshness: ['weight', 'halfLifeDays', 'from'],
  novelty: ['weight'],
  filter: ['expr'],
  boost: ['when', 'factor'],
  pin: ['pins', 'keepUnavailable'],
  availability: ['unknownAge', 'outOfStock', 'hidden'],
  fatigue: ['maxShown', 'penalty'],
  explore: ['strategy', 'slots', 'epsilon', 'c', 'positions', 'seed'],
};

/**
 * Builds one re-ranker from plain data. With a catalogue, rule expressions are compiled at once so
 * that unknown attribute names are reported at configuration time.
 */
export function buildReranker(spec: unknown, where = 'rerank', catalog?: ItemCatalog): Reranker {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw paramError(where, spec, 'an object with a "type"');
  const o = spec as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !(RERANK_TYPES as readonly string[]).includes(type)) {
    throw paramError(`${where}.type`, type, `one of ${RERANK_TYPES.join(', ')}`);
  }
  const t = type as (typeof RERANK_TYPES)[number];
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !KEYS[t].includes(k)) throw paramError(`${where}.${k}`, o[k], `no such option for '${t}' (options: ${KEYS[t].join(', ')})`);
  }
  const s = spec as RerankSpec;
  try {
    switch (s.type) {
      case 'mmr':
        return new MmrReranker(s);
      case 'cap':
        return new CapReranker(s);
      case 'no-adjacent':
        return new NoAdjacentReranker(s);
      case 'freshness':
        return new FreshnessBoost(s);
      case 'novelty':
        return new NoveltyBoost(s);
      case 'filter': {
        const r = new RuleFilter({ expr: s.expr, where: `${where}.expr` });
        if (catalog) r.check(catalog);
        return r;
      }
      case 'boost': {
        const r = new RuleBoost({ when: s.when, factor: s.factor, where });
        if (catalog) r.check(catalog);
        return r;
      }
      case 'pin':
        return new PinReranker(s);
      case 'availability':
        return new AvailabilityFilter(s);
      case 'fatigue':
        return new FatigueReranker(s);
      case 'explore':
        return new ExploreReranker(s);
    }
  } catch (e) {
    // re-root parameter errors of the options under this entry's path
    if (e instanceof AffinityError && e.code === 'E_PARAM' && e.field && !e.field.startsWith(where)) {
      throw new AffinityError('E_PARAM', `${where}.${e.message}`, { field: `${where}.${e.field}` });
    }
    throw e;
  }
}

/** Builds a list of re-rankers (`specs` must be an array); entry i is reported as `${where}[i]`. */
export function buildRerankers(specs: unknown, where = 'rerank', catalog?: ItemCatalog): Reranker[] {
  if (!Array.isArray(specs)) throw paramError(where, specs, 'a list of re-ranker objects');
  return specs.map((s: unknown, i) => buildReranker(s, `${where}[${i}]`, catalog));
}

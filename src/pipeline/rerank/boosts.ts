/**
 * Score-changing re-rankers: freshness (exp decay by item age) and novelty (-log popularity) boosts,
 * rule boosts (expression -> multiply score), rule filters, availability (hidden, out of stock, age
 * restriction) and fatigue. Boosting multiplies a score by f in the "better" direction (see `boost`),
 * then the list is re-sorted by the new scores (stable).
 */
import { paramError } from '../../core/errors.js';
import { compileRule, type CompiledRule, type RuleEnv } from '../rules/eval.js';
import type { ItemCatalog } from '../catalog.js';
import type { RequestContext } from '../types.js';
import { boost, pick, resort, type RankedList, type Reranker, type RerankContext } from './types.js';

function positive(field: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!(x > 0) || !Number.isFinite(x)) throw paramError(field, v, 'a positive number');
  return x;
}
function nonNegative(field: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!(x >= 0) || !Number.isFinite(x)) throw paramError(field, v, 'a number >= 0');
  return x;
}

/** score * (1 + weight * 2^(-age / halfLifeDays)); items of unknown age get no boost. */
export class FreshnessBoost implements Reranker {
  readonly name = 'freshness';
  readonly weight: number;
  readonly halfLifeDays: number;
  readonly from: 'firstSeen' | 'release';
  constructor(o: { weight?: number; halfLifeDays?: number; from?: 'firstSeen' | 'release' } = {}) {
    this.weight = nonNegative('weight', o.weight, 0.5);
    this.halfLifeDays = positive('halfLifeDays', o.halfLifeDays, 30);
    this.from = o.from ?? 'firstSeen';
    if (this.from !== 'firstSeen' && this.from !== 'release') throw paramError('from', o.from, "'firstSeen' or 'release'");
  }
  factor(catalog: ItemCatalog, item: number, now: number): number {
    const age = Math.max(0, catalog.ageDays(item, now, this.from));
    return age === age ? 1 + this.weight * Math.pow(2, -age / this.halfLifeDays) : 1;
  }
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const s = new Float32Array(list.items.length);
    for (let k = 0; k < s.length; k++) s[k] = boost(list.scores[k], this.factor(ctx.catalog, list.items[k], req.now));
    return resort(list, s);
  }
}

/** score * (1 + weight * novelty / log2(total popularity)), novelty = -log2(pop / total) in [0, 1] after scaling. */
export class NoveltyBoost implements Reranker {
  readonly name = 'novelty';
  readonly weight: number;
  constructor(o: { weight?: number } = {}) {
    this.weight = nonNegative('weight', o.weight, 0.2);
  }
  apply(list: RankedList, _req: RequestContext, ctx: RerankContext): RankedList {
    const c = ctx.catalog;
    const scale = Math.log2(Math.max(c.totalPopularity, 2));
    const s = new Float32Array(list.items.length);
    for (let k = 0; k < s.length; k++) s[k] = boost(list.scores[k], 1 + (this.weight * c.novelty(list.items[k])) / scale);
    return resort(list, s);
  }
}

/** Compiled rules are cached per catalogue (a pipeline keeps one catalogue). */
class RuleCache {
  private cat: ItemCatalog | null = null;
  private rule: CompiledRule | null = null;
  constructor(
    readonly expr: string,
    readonly where: string,
  ) {}
  get(catalog: ItemCatalog): CompiledRule {
    if (this.cat !== catalog || !this.rule) {
      this.rule = compileRule(this.expr, catalog, this.where);
      this.cat = catalog;
    }
    return this.rule;
  }
}

/** Keeps only the items for which `expr` holds. */
export class RuleFilter implements Reranker {
  readonly name = 'filter';
  private readonly rule: RuleCache;
  constructor(o: { expr: string; where?: string }) {
    if (typeof o.expr !== 'string') throw paramError(o.where ?? 'expr', o.expr, 'a rule expression string');
    this.rule = new RuleCache(o.expr, o.where ?? 'filter');
  }
  /** Compiles now against `catalog` (reports errors at configuration time). */
  check(catalog: ItemCatalog): void {
    this.rule.get(catalog);
  }
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const r = this.rule.get(ctx.catalog);
    const env: RuleEnv = { req, score: 0 };
    const keep: number[] = [];
    for (let k = 0; k < list.items.length; k++) {
      env.score = list.scores[k];
      if (r.test(list.items[k], env)) keep.push(k);
    }
    return pick(list, keep);
  }
}

/**
 * Multiplies the score of items for which `when` holds by `factor` (a number, or an expression
 * evaluated per item; non-finite or non-positive values leave the score unchanged).
 */
export class RuleBoost implements Reranker {
  readonly name = 'boost';
  private readonly when: RuleCache;
  private readonly factorRule: RuleCache | null;
  private readonly factorValue: number;
  constructor(o: { when: string; factor: number | string; where?: string }) {
    const where = o.where ?? 'boost';
    if (typeof o.when !== 'string') throw paramError(`${where}.when`, o.when, 'a rule expression string');
    this.when = new RuleCache(o.when, `${where}.when`);
    if (typeof o.factor === 'number') {
      this.factorValue = positive(`${where}.factor`, o.factor, 1);
      this.factorRule = null;
    } else if (typeof o.factor === 'string') {
      this.factorValue = 1;
      this.factorRule = new RuleCache(o.factor, `${where}.factor`);
    } else throw paramError(`${where}.factor`, o.factor, 'a positive number or an expression');
  }
  check(catalog: ItemCatalog): void {
    this.when.get(catalog);
    this.factorRule?.get(catalog);
  }
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const w = this.when.get(ctx.catalog);
    const f = this.factorRule?.get(ctx.catalog) ?? null;
    const env: RuleEnv = { req, score: 0 };
    const s = new Float32Array(list.items.length);
    for (let k = 0; k < s.length; k++) {
      const it = list.items[k];
      env.score = list.scores[k];
      let x = list.scores[k];
      if (w.test(it, env)) {
        const fac = f ? f.number(it, env) : this.factorValue;
        if (fac > 0 && Number.isFinite(fac)) x = boost(x, fac);
      }
      s[k] = x;
    }
    return resort(list, s);
  }
}

/**
 * Drops hidden and out-of-stock items and items whose minAge exceeds the user's age
 * (req.context.userAge); with an unknown user age, age-restricted items are dropped unless
 * `unknownAge` is 'allow'.
 */
export class AvailabilityFilter implements Reranker {
  readonly name = 'availability';
  constructor(readonly o: { unknownAge?: 'allow' | 'deny'; outOfStock?: boolean; hidden?: boolean } = {}) {
    if (o.unknownAge !== undefined && o.unknownAge !== 'allow' && o.unknownAge !== 'deny') throw paramError('unknownAge', o.unknownAge, "'allow' or 'deny'");
  }
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const c = ctx.catalog;
    const age = req.context?.userAge;
    const allowUnknown = this.o.unknownAge === 'allow';
    const keep: number[] = [];
    for (let k = 0; k < list.items.length; k++) {
      const it = list.items[k];
      if (this.o.hidden !== false && c.hidden[it]) continue;
      if (this.o.outOfStock !== false && c.outOfStock[it]) continue;
      const min = c.minAge[it];
      if (min > 0 && (age === undefined ? !allowUnknown : age < min)) continue;
      keep.push(k);
    }
    return pick(list, keep);
  }
}

/**
 * Fatigue: items already shown `maxShown` or more times to this user are demoted — their score
 * divided by `penalty` (the list is re-sorted) — or moved to the end (`penalty: 'last'`) or dropped.
 */
export class FatigueReranker implements Reranker {
  readonly name = 'fatigue';
  readonly maxShown: number;
  readonly penalty: number | 'last' | 'drop';
  constructor(o: { maxShown: number; penalty?: number | 'last' | 'drop' }) {
    if (!Number.isInteger(o.maxShown) || o.maxShown < 1) throw paramError('maxShown', o.maxShown, 'an integer >= 1');
    this.maxShown = o.maxShown;
    const p = o.penalty ?? 'last';
    if (typeof p === 'number' ? !(p > 1 && Number.isFinite(p)) : p !== 'last' && p !== 'drop') throw paramError('penalty', o.penalty, "a number > 1, 'last' or 'drop'");
    this.penalty = p;
  }
  apply(list: RankedList, req: RequestContext, ctx: RerankContext): RankedList {
    const stats = ctx.stats;
    if (!stats) return list;
    const tired = (k: number): boolean => stats.userImpressions(req.user, list.items[k]) >= this.maxShown;
    if (typeof this.penalty === 'number') {
      const s = new Float32Array(list.items.length);
      for (let k = 0; k < s.length; k++) s[k] = tired(k) ? boost(list.scores[k], 1 / this.penalty) : list.scores[k];
      return resort(list, s);
    }
    const fresh: number[] = [];
    const stale: number[] = [];
    for (let k = 0; k < list.items.length; k++) (tired(k) ? stale : fresh).push(k);
    return pick(list, this.penalty === 'drop' ? fresh : fresh.concat(stale));
  }
}

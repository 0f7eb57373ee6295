/**
 * A/B tests: deterministic user bucketing and the statistics of an experiment's results.
 *
 * Bucketing: u = first 48 bits of SHA-256(experimentId + "\0" + userId) / 2^48, a number in [0, 1) that
 * depends only on the two ids (stable across restarts, processes and machines). The variants' weights are
 * normalised to shares; the user gets the first variant whose cumulative share exceeds u. Changing the
 * weights moves only users near the boundaries; adding a variant at the end keeps earlier assignments
 * wherever the cumulative shares before it do not change.
 *
 * Statistics (results()):
 * - CTR of a variant = clicks / impressions (per impression); conversion rate = converted users / exposed
 *   users (per user). Successes are capped at the trials (a click logged without its impression).
 * - 95% confidence intervals: Wilson score intervals, p~ = (p + z^2/2n) / (1 + z^2/n),
 *   half-width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2), z = 1.959964 (they stay inside [0, 1] and
 *   behave at small counts, unlike the normal "Wald" interval).
 * - Significance against the control (the first variant): the pooled two-proportion z-test,
 *   p = (x1 + x2) / (n1 + n2), z = (p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2)), two-sided p-value = erfc(|z|/sqrt 2);
 *   "significant" means p-value < alpha (default 0.05). One test per variant against the control: with more
 *   than two variants the caller should correct for multiple comparisons (Bonferroni: alpha / (k - 1)); the
 *   result reports the Bonferroni-adjusted p-values too. The test assumes independent trials: for CTR the
 *   trials are impressions, which are not independent when one user sees many; the per-user conversion
 *   rate is the sounder decision metric.
 */
import { createHash } from 'node:crypto';
import { AffinityError } from '../core/errors.js';
import type { Experiment, Variant, VariantStats } from '../store/types.js';

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** The bucket of a user in an experiment: a number in [0, 1), a pure function of the two ids. */
export function bucketOf(experimentId: string, userId: string): number {
  const h = createHash('sha256').update(experimentId).update('\0').update(userId).digest();
  // 48 bits: exact in a double.
  return (h.readUIntBE(0, 6)) / 2 ** 48;
}

/** The variant a bucket value falls in, by cumulative normalised weights. */
export function variantAt<V extends { weight: number }>(variants: readonly V[], u: number): V {
  if (variants.length === 0) throw new AffinityError('E_PARAM', 'variants: empty; expected at least one variant', { field: 'variants' });
  let total = 0;
  for (let k = 0; k < variants.length; k++) {
    const w = variants[k].weight;
    if (!(Number.isFinite(w) && w > 0)) throw new AffinityError('E_PARAM', `variants[${k}].weight: got ${w}; expected a finite number > 0`, { field: `variants[${k}].weight` });
    total += w;
  }
  let cum = 0;
  for (let k = 0; k < variants.length; k++) {
    cum += variants[k].weight / total;
    if (u < cum) return variants[k];
  }
  return variants[variants.length - 1];
}

/** The variant of a user in an experiment (deterministic). */
export function assignVariant(exp: Pick<Experiment, 'id' | 'variants'>, userId: string): Variant {
  return variantAt(exp.variants, bucketOf(exp.id, userId));
}

/**
 * The experiment a user's recommendations are served under: the first running experiment (in the given
 * order) and the user's variant in it, or null when none is running.
 */
export function runningAssignment(experiments: readonly Experiment[], userId: string): { experiment: Experiment; variant: Variant } | null {
  for (const e of experiments) if (e.status === 'running' && e.variants.length > 0) return { experiment: e, variant: assignVariant(e, userId) };
  return null;
}

export interface Interval {
  /** successes / trials (0 when there are no trials). */
  rate: number;
  low: number;
  high: number;
  successes: number;
  trials: number;
}

/** Wilson score interval for `successes` out of `trials` (successes capped at trials; [0, 1] when trials = 0). */
export function wilson(successes: number, trials: number, z = Z95): Interval {
  if (!(trials >= 0) || !(successes >= 0)) throw new AffinityError('E_PARAM', `wilson: got ${successes}/${trials}; expected non-negative counts`, { field: 'trials' });
  const x = Math.min(successes, trials);
  if (trials === 0) return { rate: 0, low: 0, high: 1, successes: x, trials };
  const p = x / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), successes: x, trials };
}

/** Complementary error function (W. H. Press et al., Chebyshev fit; fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export interface ZTest {
  /** p2 - p1 (treatment minus control). */
  diff: number;
  /** Relative lift (p2 - p1) / p1, or null when p1 = 0. */
  lift: number | null;
  z: number;
  /** Two-sided p-value. */
  pValue: number;
}

/** Pooled two-proportion z-test of x2/n2 (treatment) against x1/n1 (control). */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): ZTest {
  const a = Math.min(x1, n1);
  const b = Math.min(x2, n2);
  const p1 = n1 > 0 ? a / n1 : 0;
  const p2 = n2 > 0 ? b / n2 : 0;
  const diff = p2 - p1;
  const lift = p1 > 0 ? diff / p1 : null;
  if (n1 === 0 || n2 === 0) return { diff, lift, z: 0, pValue: 1 };
  const p = (a + b) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { diff, lift, z: 0, pValue: 1 };
  const z = diff / se;
  return { diff, lift, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

export interface Comparison extends ZTest {
  /** pValue x (number of variants - 1), capped at 1. */
  pAdjusted: number;
  significant: boolean;
}

export interface VariantResult extends VariantStats {
  weight: number;
  config: Experiment['variants'][number]['config'];
  ctr: Interval;
  conversion: Interval;
  /** null for the control. */
  vsControl: { ctr: Comparison; conversion: Comparison } | null;
}

export interface ExperimentResults {
  experiment: Experiment;
  control: string;
  alpha: number;
  method: string;
  variants: VariantResult[];
}

export const METHOD =
  'CTR = clicks/impressions, conversion = converted users/exposed users; 95% Wilson intervals; ' +
  'pooled two-proportion z-test against the control (first variant), two-sided, Bonferroni-adjusted over the variants';

function emptyStats(variant: string): VariantStats {
  return { variant, impressions: 0, clicks: 0, conversions: 0, exposedUsers: 0, clickUsers: 0, convertedUsers: 0, conversionValue: 0 };
}

/** Rates, intervals and tests for every variant of an experiment from the store's per-variant counts. */
export function results(exp: Experiment, stats: readonly VariantStats[], alpha = 0.05): ExperimentResults {
  if (!(alpha > 0 && alpha < 1)) throw new AffinityError('E_PARAM', `alpha: got ${alpha}; expected a number in (0, 1)`, { field: 'alpha' });
  const by = new Map(stats.map((s) => [s.variant, s]));
  const rows = exp.variants.map((v) => ({ v, s: by.get(v.name) ?? emptyStats(v.name) }));
  const comparisons = Math.max(1, rows.length - 1);
  const cmp = (t: ZTest): Comparison => {
    const pAdjusted = Math.min(1, t.pValue * comparisons);
    return { ...t, pAdjusted, significant: pAdjusted < alpha };
  };
  const control = rows[0];
  const variants = rows.map(({ v, s }, k): VariantResult => ({
    ...s,
    weight: v.weight,
    config: v.config,
    ctr: wilson(s.clicks, s.impressions),
    conversion: wilson(s.convertedUsers, s.exposedUsers),
    vsControl:
      k === 0 || !control
        ? null
        : {
            ctr: cmp(twoProportionZ(control.s.clicks, control.s.impressions, s.clicks, s.impressions)),
            conversion: cmp(twoProportionZ(control.s.convertedUsers, control.s.exposedUsers, s.convertedUsers, s.exposedUsers)),
          },
  }));
  return { experiment: exp, control: control ? control.v.name : '', alpha, method: METHOD, variants };
}

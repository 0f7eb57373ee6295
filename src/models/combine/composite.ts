import { AffinityError } from '../../core/errors.js';
import type { Dataset } from '../../data/dataset.js';
import { BaseRecommender, type SavedParts } from '../base.js';
import { parseModelSpec } from '../params.js';
import type { AnyTypedArray, FitOptions, ModelCapabilities, Params } from '../recommender.js';
import { createModel } from '../registry.js';
import { scoreFromHistory } from '../../coldstart/history.js';

/**
 * Component specs of a combinator: model specs joined by '+', each `name` or `name;key=value;...`
 * (';' instead of ':' because ':' separates the combinator's own params on the CLI), e.g.
 * `ease;lambda=200+popularity`.
 */
export function parseComponents(field: string, text: string): { name: string; params: Record<string, string> }[] {
  const parts = text.split('+').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new AffinityError('E_PARAM', `${field}: got ${JSON.stringify(text)}; expected model names joined by '+', e.g. ease+popularity`, { field });
  return parts.map((p) => parseModelSpec(p.replace(/;/g, ':')));
}

/** Numbers joined by '+', e.g. '0.7+0.3'. */
export function parseNumbers(field: string, text: string, n: number): number[] {
  const v = text.split('+').map((s) => Number(s.trim()));
  if (v.length !== n || v.some((x) => !Number.isFinite(x))) {
    throw new AffinityError('E_PARAM', `${field}: got ${JSON.stringify(text)}; expected ${n} numbers joined by '+' (one per component)`, { field });
  }
  return v;
}

/**
 * Base of every combinator: holds fitted component models built from the registry by name, fits
 * them inside fit(), and nests their saved states (arrays prefixed `c<k>.`, meta under `components`).
 */
export abstract class CompositeRecommender extends BaseRecommender {
  readonly capabilities: ModelCapabilities = { rating: false, similarItems: false, similarUsers: false };
  components: BaseRecommender[] = [];
  protected readonly scratchBufs: Float32Array[] = [];

  /** The component specs of this combinator (from its params). */
  protected abstract componentSpecs(): { name: string; params: Record<string, string> }[];

  /** Builds fresh unfitted components. */
  protected buildComponents(): BaseRecommender[] {
    return this.componentSpecs().map((s) => createModel(s.name, s.params));
  }

  /** Fits every component on `data` (in order). */
  protected async fitComponents(data: Dataset, opts: FitOptions): Promise<void> {
    this.components = this.buildComponents();
    for (const c of this.components) await c.fit(data, opts);
  }

  /** A reusable buffer per slot. */
  protected buf(slot: number): Float32Array {
    let b = this.scratchBufs[slot];
    if (!b || b.length !== this.nItems) b = this.scratchBufs[slot] = new Float32Array(this.nItems);
    return b;
  }

  /** Own parts to save besides the components. */
  protected ownParts(): { meta: Record<string, unknown>; arrays: Record<string, AnyTypedArray> } {
    return { meta: {}, arrays: {} };
  }
  protected loadOwnParts(_parts: SavedParts): void {}

  protected saveParts(): SavedParts {
    const own = this.ownParts();
    const arrays: Record<string, AnyTypedArray> = { ...own.arrays };
    const components: { name: string; params: Params; stateVersion: number; meta: Record<string, unknown> }[] = [];
    this.components.forEach((c, k) => {
      const s = c.toState();
      components.push({ name: s.name, params: s.params, stateVersion: s.stateVersion, meta: s.meta });
      for (const [n, a] of Object.entries(s.arrays)) arrays[`c${k}.${n}`] = a;
    });
    return { stateVersion: 1, meta: { ...own.meta, components }, arrays };
  }

  protected loadParts(parts: SavedParts): void {
    const list = parts.meta.components;
    if (!Array.isArray(list)) throw new AffinityError('E_MODEL_FILE', `${this.name}: saved state lacks its component list`);
    this.components = list.map((raw, k) => {
      const c = raw as { name: string; params: Params; stateVersion: number; meta: Record<string, unknown> };
      const prefix = `c${k}.`;
      const arrays: Record<string, AnyTypedArray> = {};
      for (const [n, a] of Object.entries(parts.arrays)) if (n.startsWith(prefix)) arrays[n.slice(prefix.length)] = a;
      const m = createModel(c.name, c.params);
      return m.restore({ name: c.name, params: c.params, stateVersion: c.stateVersion, meta: c.meta, arrays, users: this.users, items: this.items, seen: this.seen });
    });
    this.loadOwnParts(parts);
  }
}

/** In place: per-user min-max scaling of finite scores to [0, 1] (all equal: 0). */
export function minMaxNormalise(s: Float32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v > -Infinity && v < Infinity) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi - lo;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    s[i] = v > -Infinity && v < Infinity ? (span > 0 ? (v - lo) / span : 0) : 0;
  }
}

/** In place: per-user z-score of finite scores (sd 0: all 0). */
export function zNormalise(s: Float32Array): void {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v > -Infinity && v < Infinity) {
      n++;
      sum += v;
      sq += v * v;
    }
  }
  const mean = n ? sum / n : 0;
  const sd = n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    s[i] = v > -Infinity && v < Infinity && sd > 0 ? (v - mean) / sd : 0;
  }
}

/** Scores of a component for a user given by a history (delegation; see coldstart/history.ts). */
export function historyOf(m: BaseRecommender, items: ArrayLike<number>, values: ArrayLike<number> | null, out: Float32Array): void {
  scoreFromHistory(m, items, values, out);
}

import type { Rng } from '../../core/rng.js';
import type { Params } from '../recommender.js';
import { FactorRatingModel, type FactorState } from './factor-model.js';
import { addImplicit, svdppEpoch, svdppScratch, type RatingsCsr, type SgdRates, type SvdppScratch } from './sgd.js';

/**
 * SVD++ as Surprise's `SVDpp` (Koren 2008): r̂ = mu + b_u + b_i + q_i·(p_u + |N(u)|^-1/2 Σ_{j∈N(u)} y_j),
 * N(u) = the user's rated items. Each epoch visits users in a seeded shuffled order and each user's
 * ratings in a seeded shuffled order, one user at a time (Surprise also walks ratings grouped by user,
 * in a fixed order). The per-rating update is Surprise's, computed exactly in O(f) per rating by
 * tracking the implicit sum and composing the y_j updates per user (see svdppEpoch).
 */
export class SvdppModel extends FactorRatingModel {
  private userOrder: Int32Array = new Int32Array(0);
  private order: Int32Array = new Int32Array(0);
  private work: SvdppScratch | null = null;

  constructor(name: string, params: Params) {
    super(name, params);
  }

  protected get biasedParam(): boolean {
    return true;
  }

  protected get hasImplicit(): boolean {
    return true;
  }

  protected runEpoch(R: RatingsCsr, st: FactorState, rates: SgdRates, rng: Rng): number {
    const { indptr } = R;
    const nRows = indptr.length - 1;
    if (this.order.length !== R.indices.length || !this.work || this.work.z.length !== st.f) {
      let active = 0;
      for (let u = 0; u < nRows; u++) if (indptr[u + 1] > indptr[u]) active++;
      this.userOrder = new Int32Array(active);
      active = 0;
      for (let u = 0; u < nRows; u++) if (indptr[u + 1] > indptr[u]) this.userOrder[active++] = u;
      this.order = new Int32Array(R.indices.length);
      for (let k = 0; k < this.order.length; k++) this.order[k] = k;
      this.work = svdppScratch(st.f);
    }
    rng.shuffle(this.userOrder);
    for (let u = 0; u < nRows; u++) {
      const s = indptr[u];
      const e = indptr[u + 1];
      // Fisher-Yates within the user's segment
      for (let k = e - 1; k > s; k--) {
        const j = s + rng.int(k - s + 1);
        const t = this.order[k];
        this.order[k] = this.order[j];
        this.order[j] = t;
      }
    }
    return svdppEpoch(R, this.userOrder, this.order, st.offset, st.bu, st.bi, st.pu, st.qi, st.yj as Float32Array, st.f, rates, this.work);
  }

  protected buildUserVectors(st: FactorState): Float32Array {
    this.userOrder = new Int32Array(0);
    this.order = new Int32Array(0);
    this.work = null;
    const { indptr, indices, nRows } = this.seen;
    const f = st.f;
    const out = new Float32Array(nRows * f);
    const yj = st.yj as Float32Array;
    for (let u = 0; u < nRows; u++) {
      if (indptr[u + 1] === indptr[u]) continue;
      addImplicit(indices.subarray(indptr[u], indptr[u + 1]), yj, f, st.pu, u * f, out, u * f);
    }
    return out;
  }

  protected implicitTerm(items: Int32Array): Float32Array {
    const st = this.state;
    const known = items.filter((i) => this.knownItem(i));
    const out = new Float32Array(st.f);
    addImplicit(known, st.yj as Float32Array, st.f, new Float32Array(st.f), 0, out, 0);
    return out;
  }
}

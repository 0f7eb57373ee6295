import type { Rng } from '../../core/rng.js';
import type { Params } from '../recommender.js';
import { FactorRatingModel, type FactorState } from './factor-model.js';
import { svdEpoch, type RatingsCsr, type SgdRates } from './sgd.js';

/**
 * SVD as Surprise's `SVD` (Funk SVD with baselines): r̂ = mu + b_u + b_i + q_i·p_u, learned by SGD
 * over all training ratings in a fresh seeded shuffle each epoch (Surprise walks them in user order).
 * With `biased: false`, r̂ = q_i·p_u. Parameters: see SVD_PARAMS.
 */
export class SvdModel extends FactorRatingModel {
  private order: Int32Array = new Int32Array(0);

  constructor(name: string, params: Params) {
    super(name, params);
  }

  protected get biasedParam(): boolean {
    return this.params.biased !== false;
  }

  protected get hasImplicit(): boolean {
    return false;
  }

  protected runEpoch(R: RatingsCsr, st: FactorState, rates: SgdRates, rng: Rng): number {
    const n = R.indices.length;
    if (this.order.length !== n) {
      this.order = new Int32Array(n);
      for (let k = 0; k < n; k++) this.order[k] = k;
    }
    rng.shuffle(this.order);
    return svdEpoch(R, this.order, st.offset, st.bu, st.bi, st.pu, st.qi, st.f, st.biased, rates);
  }

  protected buildUserVectors(st: FactorState): Float32Array {
    this.order = new Int32Array(0);
    return st.pu;
  }

  protected implicitTerm(): Float32Array | null {
    return null;
  }
}

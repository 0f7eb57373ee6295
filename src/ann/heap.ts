/** A growable binary heap of (distance, id) on typed arrays: min-heap or max-heap by distance. */
export class DistHeap {
  d: Float64Array;
  id: Int32Array;
  size = 0;
  private readonly sign: number;

  constructor(capacity: number, max: boolean) {
    this.d = new Float64Array(Math.max(4, capacity));
    this.id = new Int32Array(Math.max(4, capacity));
    this.sign = max ? -1 : 1; // stored as sign * dist so the top is always the smallest stored value
  }

  clear(): void {
    this.size = 0;
  }
  /** Distance at the top (the smallest for a min-heap, the largest for a max-heap). */
  topDist(): number {
    return this.sign * this.d[0];
  }
  topId(): number {
    return this.id[0];
  }

  push(dist: number, id: number): void {
    if (this.size === this.d.length) {
      const d = new Float64Array(this.size * 2);
      d.set(this.d);
      const i = new Int32Array(this.size * 2);
      i.set(this.id);
      this.d = d;
      this.id = i;
    }
    const v = this.sign * dist;
    const hd = this.d;
    const hi = this.id;
    let c = this.size++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (hd[p] <= v) break;
      hd[c] = hd[p];
      hi[c] = hi[p];
      c = p;
    }
    hd[c] = v;
    hi[c] = id;
  }

  /** Removes the top; returns its id. */
  pop(): number {
    const hd = this.d;
    const hi = this.id;
    const top = hi[0];
    const n = --this.size;
    if (n === 0) return top;
    const v = hd[n];
    const vi = hi[n];
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      let m = l;
      if (l + 1 < n && hd[l + 1] < hd[l]) m = l + 1;
      if (hd[m] >= v) break;
      hd[c] = hd[m];
      hi[c] = hi[m];
      c = m;
    }
    hd[c] = v;
    hi[c] = vi;
    return top;
  }
}

import { AffinityError } from './errors.js';

/**
 * Maps external ids (strings; numeric ids are kept as their decimal text) to dense indices 0..size-1
 * and back. Indices are assigned in order of first appearance.
 */
export class IdMap {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index of `id`, adding it if new. */
  add(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  /** Index of `id`, or -1 when unknown. */
  get(id: string): number {
    const i = this.index.get(id);
    return i === undefined ? -1 : i;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Index of `id`; throws E_UNKNOWN_ID naming `what` when unknown. */
  require(id: string, what = 'id'): number {
    const i = this.index.get(id);
    if (i === undefined) throw new AffinityError('E_UNKNOWN_ID', `unknown ${what} ${JSON.stringify(id)}`, { field: what });
    return i;
  }

  /** External id of index `i`. */
  id(i: number): string {
    const s = this.ids[i];
    if (s === undefined) throw new AffinityError('E_UNKNOWN_ID', `index ${i} out of range 0..${this.ids.length - 1}`);
    return s;
  }

  /** All external ids in index order (a copy). */
  toArray(): string[] {
    return this.ids.slice();
  }

  clone(): IdMap {
    return new IdMap(this.ids);
  }
}

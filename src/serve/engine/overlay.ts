/**
 * Real-time state: each user's events since the active model was trained (item ids, weights, seq),
 * bounded per user (oldest dropped) and in the number of users (least recently touched dropped).
 */
export interface UserOverlay {
  items: string[];
  weights: number[];
  seqs: number[];
  times: number[];
}

export class Overlay {
  private readonly users = new Map<string, UserOverlay>();

  constructor(
    readonly perUser = 200,
    readonly maxUsers = 100_000,
  ) {}

  get size(): number {
    return this.users.size;
  }

  userIds(): string[] {
    return [...this.users.keys()];
  }

  get(user: string): UserOverlay | undefined {
    return this.users.get(user);
  }

  add(user: string, item: string, weight: number, seq: number, time: number): void {
    let o = this.users.get(user);
    if (o) this.users.delete(user);
    else o = { items: [], weights: [], seqs: [], times: [] };
    this.users.set(user, o); // most recently touched last
    o.items.push(item);
    o.weights.push(weight);
    o.seqs.push(seq);
    o.times.push(time);
    if (o.items.length > this.perUser) {
      const drop = o.items.length - this.perUser;
      o.items.splice(0, drop);
      o.weights.splice(0, drop);
      o.seqs.splice(0, drop);
      o.times.splice(0, drop);
    }
    if (this.users.size > this.maxUsers) {
      const oldest = this.users.keys().next().value;
      if (oldest !== undefined) this.users.delete(oldest);
    }
  }

  /** Drops events with seq <= `seq` (a new model was trained on them); returns the users touched. */
  prune(seq: number): string[] {
    const touched: string[] = [];
    for (const [u, o] of this.users) {
      let k = 0;
      while (k < o.seqs.length && o.seqs[k] <= seq) k++;
      if (k === 0) continue;
      touched.push(u);
      if (k === o.seqs.length) {
        this.users.delete(u);
        continue;
      }
      o.items.splice(0, k);
      o.weights.splice(0, k);
      o.seqs.splice(0, k);
      o.times.splice(0, k);
    }
    return touched;
  }

  clear(): void {
    this.users.clear();
  }
}

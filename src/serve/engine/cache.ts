/**
 * Recommendation-list cache: entries per (user, query shape) with a TTL and an LRU bound; a user's
 * entries are dropped on that user's events, everything on a model swap or catalog change.
 */
export class ListCache<V> {
  private readonly map = new Map<string, { user: string; value: V; expires: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  hits = 0;
  misses = 0;

  constructor(
    readonly ttlMs = 60_000,
    readonly maxSize = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(user: string, shape: string): V | undefined {
    const key = `${user}\u0000${shape}`;
    const e = this.map.get(key);
    if (!e || e.expires <= this.now()) {
      if (e) this.remove(key);
      this.misses++;
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e); // LRU: most recent last
    this.hits++;
    return e.value;
  }

  set(user: string, shape: string, value: V): void {
    if (this.maxSize <= 0 || this.ttlMs <= 0) return;
    const key = `${user}\u0000${shape}`;
    this.remove(key);
    this.map.set(key, { user, value, expires: this.now() + this.ttlMs });
    let s = this.byUser.get(user);
    if (!s) this.byUser.set(user, (s = new Set()));
    s.add(key);
    while (this.map.size > this.maxSize) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    const s = this.byUser.get(e.user);
    if (s) {
      s.delete(key);
      if (s.size === 0) this.byUser.delete(e.user);
    }
  }

  invalidateUser(user: string): void {
    const s = this.byUser.get(user);
    if (!s) return;
    for (const k of s) this.map.delete(k);
    this.byUser.delete(user);
  }

  clear(): void {
    this.map.clear();
    this.byUser.clear();
  }
}

/**
 * The row sink of the interaction loaders: typed columns that grow in place in resizable buffers and
 * are handed over as exact-length arrays with a peak of the columns plus one chunk.
 */
/** An ArrayBuffer created with `maxByteLength` (ES2024; typed here because the project's lib is ES2023). */
interface GrowableBuffer extends ArrayBuffer {
  resize(byteLength: number): void;
}
type GrowableCtor = new (byteLength: number, opts: { maxByteLength: number }) => GrowableBuffer;

/** Largest `maxByteLength` V8 (Node 20) accepts for a resizable ArrayBuffer. */
const MAX_GROWABLE_BYTES = 2 ** 32;
/** Rows copied per step when the finished columns move out of the growable buffers. */
const FINISH_CHUNK = 1 << 18;

/** A resizable ArrayBuffer reserving `maxBytes` of address space (no memory yet), or null where the runtime refuses. */
function growable(maxBytes: number): GrowableBuffer | null {
  try {
    return new (ArrayBuffer as unknown as GrowableCtor)(0, { maxByteLength: maxBytes });
  } catch {
    return null; // no resizable ArrayBuffer, or no address space (ulimit -v): plain doubling instead
  }
}

/**
 * Column-wise rows. Rows are pushed into small plain staging arrays (64K rows) and flushed in blocks
 * into the store. Inputs that fit the staging arrays need no store. Otherwise the store is a set of
 * resizable ArrayBuffers that reserve address space for the announced maximum (`limitRows`) and grow in
 * place: growing copies nothing, and memory is committed only for the pages rows are written to.
 * `columns()` moves the rows into exact-length plain typed arrays a chunk at a time from the end,
 * shrinking the resizable buffers behind it, so the peak is the final columns plus one chunk (not the
 * 2x of doubling plus a trimming copy). Where resizable buffers are unavailable, or the rows outgrow the
 * announced maximum, the store falls back to plain arrays grown by doubling.
 */
export class RowSink {
  /** Rows pushed so far. */
  n = 0;
  private readonly withTime: boolean;
  private readonly chunk: number;
  // staging: plain arrays (the hot push loop stays on ordinary typed arrays)
  private su: Int32Array;
  private si: Int32Array;
  private sv: Float32Array;
  private st: Float64Array | null;
  private fill = 0;
  // store: `cap` rows; views over `bufs` (growable) or plain arrays
  private store: Columns | null = null;
  private stored = 0;
  private cap = 0;
  private bufs: GrowableSet | null = null;
  /** Rows the resizable buffers have room for. */
  private maxRows = 0;
  /** Announced upper bound on the rows (0: none). */
  private limit = 0;
  /** True once growable mode was refused or outgrown: doubling from then on. */
  private plainOnly = false;

  constructor(withTime: boolean, capacity = 1 << 16) {
    this.withTime = withTime;
    this.chunk = Math.max(1, capacity);
    this.su = new Int32Array(capacity);
    this.si = new Int32Array(capacity);
    this.sv = new Float32Array(capacity);
    this.st = withTime ? new Float64Array(capacity) : null;
  }

  /**
   * Announces an upper bound on the rows to come (e.g. text bytes / 4, as no data line is shorter than
   * 4 bytes). It only sizes the reserved address space: an exceeded bound costs one copying grow.
   * Call before the rows outgrow the staging arrays.
   */
  limitRows(maxRows: number): void {
    if (maxRows > 0 && this.store === null) this.limit = Math.ceil(maxRows);
  }

  push(u: number, i: number, v: number, t: number): void {
    if (this.fill === this.su.length) this.flush();
    const k = this.fill++;
    this.su[k] = u;
    this.si[k] = i;
    this.sv[k] = v;
    if (this.st) this.st[k] = t;
    this.n++;
  }

  /** Ensures room for `cap` rows in all (e.g. from an estimate of the row count). */
  reserve(cap: number): void {
    if (cap > this.su.length && cap > this.cap) this.growStore(cap);
  }

  /** True while the store lives in resizable buffers (for tests and benchmarks). */
  get growableMode(): boolean {
    return this.bufs !== null;
  }

  /** Appends the staged rows to the store. */
  private flush(): void {
    const f = this.fill;
    if (this.su.length === 0) {
      // emptied by columns(): staging again
      this.su = new Int32Array(this.chunk);
      this.si = new Int32Array(this.chunk);
      this.sv = new Float32Array(this.chunk);
      this.st = this.withTime ? new Float64Array(this.chunk) : null;
    }
    if (f === 0) return;
    if (this.stored + f > this.cap) this.growStore(this.stored + f);
    const c = this.store as Columns;
    const at = this.stored;
    c.user.set(this.su.subarray(0, f), at);
    c.item.set(this.si.subarray(0, f), at);
    c.value.set(this.sv.subarray(0, f), at);
    if (c.time && this.st) c.time.set(this.st.subarray(0, f), at);
    this.stored += f;
    this.fill = 0;
  }

  private growStore(need: number): void {
    if (this.bufs !== null) {
      // in place, to exactly the rows needed: pages past them are never committed (V8 zero-fills what a
      // shrink cuts off, so an over-grown tail would be touched, and counted, when columns() shrinks it)
      if (need <= this.maxRows) return this.resizeTo(need);
      const b = this.bufs;
      this.plainOnly = true;
      this.toPlain(Math.max(need, this.cap * 2));
      this.bufs = null;
      for (const buf of [b.user, b.item, b.value, b.time]) buf?.resize(0);
      return;
    }
    if (!this.plainOnly && this.toGrowable(need)) return;
    this.toPlain(Math.max(need, this.cap * 2, this.su.length * 2));
  }

  /** Creates the resizable store with room for `cap` rows (the store is empty then); false when not possible. */
  private toGrowable(cap: number): boolean {
    if (this.stored > 0) return false;
    const most = Math.floor(MAX_GROWABLE_BYTES / (this.withTime ? 8 : 4));
    // reserve for the announced bound, or (none) for the most a buffer may hold
    const rows = Math.min(most, Math.max(cap, this.limit > 0 ? this.limit : most));
    const user = cap <= rows ? growable(rows * 4) : null;
    const item = user && growable(rows * 4);
    const value = item && growable(rows * 4);
    const time = value && this.withTime ? growable(rows * 8) : null;
    if (!user || !item || !value || (this.withTime && !time)) {
      this.plainOnly = true;
      return false;
    }
    this.bufs = { user, item, value, time };
    this.maxRows = rows;
    this.resizeTo(cap);
    return true;
  }

  /** Grows the resizable buffers in place to `cap` rows and renews the views. */
  private resizeTo(cap: number): void {
    const b = this.bufs as GrowableSet;
    b.user.resize(cap * 4);
    b.item.resize(cap * 4);
    b.value.resize(cap * 4);
    if (b.time) b.time.resize(cap * 8);
    this.store = {
      user: new Int32Array(b.user, 0, cap),
      item: new Int32Array(b.item, 0, cap),
      value: new Float32Array(b.value, 0, cap),
      time: b.time ? new Float64Array(b.time, 0, cap) : null,
    };
    this.cap = cap;
  }

  /** Plain store arrays of `cap` rows, keeping the stored rows (one copy). */
  private toPlain(cap: number): void {
    const old = this.store;
    const next: Columns = { user: new Int32Array(cap), item: new Int32Array(cap), value: new Float32Array(cap), time: this.withTime ? new Float64Array(cap) : null };
    if (old) {
      const n = this.stored;
      next.user.set(old.user.subarray(0, n));
      next.item.set(old.item.subarray(0, n));
      next.value.set(old.value.subarray(0, n));
      if (next.time && old.time) next.time.set(old.time.subarray(0, n));
    }
    this.store = next;
    this.cap = cap;
  }

  /**
   * Hands the rows over as exact-length plain typed arrays (ordinary, non-resizable buffers); the sink
   * is empty afterwards. Growable store: each column is moved a chunk at a time from its end, shrinking
   * its resizable buffer behind the copy (memory returns at once, no garbage collection needed).
   */
  columns(): Columns {
    let out: Columns;
    if (this.store === null) {
      out = exactly({ user: this.su, item: this.si, value: this.sv, time: this.st }, this.fill);
    } else {
      this.flush();
      const b = this.bufs;
      const n = this.stored;
      if (b === null) out = exactly(this.store, n);
      else {
        // the widest first: the transient extra is one chunk whatever the order
        const time = b.time ? moveOut(b.time, n, Float64Array) : null;
        out = { user: moveOut(b.user, n, Int32Array), item: moveOut(b.item, n, Int32Array), value: moveOut(b.value, n, Float32Array), time };
      }
    }
    this.n = this.fill = this.stored = this.cap = 0;
    this.store = this.bufs = null;
    this.su = new Int32Array(0);
    this.si = new Int32Array(0);
    this.sv = new Float32Array(0);
    this.st = this.withTime ? new Float64Array(0) : null;
    return out;
  }
}

interface GrowableSet {
  user: GrowableBuffer;
  item: GrowableBuffer;
  value: GrowableBuffer;
  time: GrowableBuffer | null;
}

/** The first n rows of plain columns: the arrays themselves when exactly full, else copies. */
function exactly(c: Columns, n: number): Columns {
  if (n === c.user.length) return { ...c };
  return { user: c.user.slice(0, n), item: c.item.slice(0, n), value: c.value.slice(0, n), time: c.time ? c.time.slice(0, n) : null };
}

type TypedCtor<T> = { new (length: number): T; new (buf: ArrayBuffer, offset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/** Copies the first n elements of a resizable buffer into a new plain array, from the end, shrinking the source as it goes. */
function moveOut<T extends Int32Array | Float32Array | Float64Array>(src: GrowableBuffer, n: number, Ctor: TypedCtor<T>): T {
  const out = new Ctor(n); // zero pages, committed as the copy writes them
  const size = Ctor.BYTES_PER_ELEMENT;
  for (let end = n; end > 0; ) {
    const start = Math.max(0, end - FINISH_CHUNK);
    out.set(new Ctor(src, start * size, end - start) as never, start);
    src.resize(start * size);
    end = start;
  }
  src.resize(0);
  return out;
}

export interface Columns {
  user: Int32Array;
  item: Int32Array;
  value: Float32Array;
  time: Float64Array | null;
}

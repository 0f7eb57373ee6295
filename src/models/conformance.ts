import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AffinityError, type ErrorCode } from '../core/errors.js';
import type { Dataset } from '../data/dataset.js';
import type { BaseRecommender } from './base.js';
import { checkerboardFixture, checkerboardParity, explicitFixture, withSyntheticItemFeatures, type Fixture } from './conformance-fixtures.js';
import type { FitOptions, FitReport, RecommendOptions, ScoredItems } from './recommender.js';
import { loadModel, saveModel } from './registry.js';

export { checkerboardFixture, explicitFixture, type Fixture } from './conformance-fixtures.js';

export interface ConformanceOptions {
  /**
   * Fixture of the generic checks: 'explicit' (50 x 40 ratings 1..5) or 'implicit' (the 40 x 30
   * checkerboard). Default: 'explicit' for models with `capabilities.rating`, else 'implicit'.
   */
  fixture?: 'explicit' | 'implicit';
  /** Opt-in quality check: checkerboard users get top-5 lists of their own parity only. */
  checkerboard?: boolean;
  /** Options passed to every fit (e.g. `{ threads: 1 }`). */
  fitOptions?: FitOptions;
  /**
   * Tolerance of score comparisons between code paths (scoreItems vs scoreAll, recommendBatch vs
   * recommend): |a - b| <= tol * (1 + |a|). Default 0 (identical). Save/load and determinism are
   * always compared exactly.
   */
  scoreTolerance?: number;
  /** Attach a synthetic item feature table to the fixtures (content and hybrid models; see syntheticItemFeatures). */
  itemFeatures?: boolean;
  /**
   * Minimum top-10 overlap between recommend(u) and recommendHistory(training history of u) for each
   * trained probe user (default 6 of 10), with the reason when a model relaxes it (e.g. random
   * scores are seeded differently for a history than for a user id).
   */
  historyOverlap?: { min: number; why: string };
}

const N = 5;

/**
 * Registers the shared model conformance tests (node:test) for one model. `make` builds a fresh,
 * unfitted model whose `name` is a registry name (save/load goes through the registry).
 *
 *   modelConformance('popularity', () => createModel('popularity'));
 */
export function modelConformance(name: string, make: () => BaseRecommender, opts: ConformanceOptions = {}): void {
  const tol = opts.scoreTolerance ?? 0;
  const fitOpts = opts.fitOptions ?? {};
  describe(`conformance: ${name}`, () => {
    let fx: Fixture;
    let data: Dataset;
    let model: BaseRecommender;
    let report: FitReport;
    let users: number[];
    let tmp: string;

    before(async () => {
      model = make();
      const kind = opts.fixture ?? (model.capabilities.rating ? 'explicit' : 'implicit');
      fx = kind === 'explicit' ? explicitFixture() : checkerboardFixture();
      data = opts.itemFeatures ? withSyntheticItemFeatures(fx.data) : fx.data;
      report = await model.fit(data, fitOpts);
      users = [0, 1, 7, 19, 20, 33, data.nUsers - 2, fx.coldUser, -1];
      tmp = mkdtempSync(join(tmpdir(), 'affinity-conformance-'));
    });
    after(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('fit works and reports fitSeconds', () => {
      assert.equal(model.fitted, true);
      assert.ok(Number.isFinite(report.fitSeconds) && report.fitSeconds >= 0, `fitSeconds ${report.fitSeconds}`);
      assert.equal(model.nItems, data.nItems);
      assert.equal(model.nUsers, data.nUsers);
      assert.equal(model.name, name);
    });

    it('recommend: n items, sorted, unseen, no duplicates', () => {
      for (const u of users) {
        const r = model.recommend(u, { n: N });
        assert.equal(r.items.length, Math.min(N, finiteUnseen(model, u)), `user ${u}`);
        checkList(r, model.nItems, `user ${u}`);
        const seen = seenOf(model, u);
        for (const i of r.items) assert.ok(!seen.has(i), `user ${u} was recommended seen item ${i}`);
      }
      assert.equal(model.recommend(0, { n: 0 }).items.length, 0);
      assertCode(() => model.recommend(0, { n: -1 }), 'E_PARAM');
      assertCode(() => model.recommend(0, { n: 2.5 }), 'E_PARAM');
    });

    it('excludeSeen: false may return seen items', () => {
      let seenReturned = 0;
      for (const u of [0, 1, 20, 33]) {
        const all = scores(model, u);
        const r = model.recommend(u, { n: model.nItems, excludeSeen: false });
        checkList(r, model.nItems, `user ${u}`);
        const got = new Set(r.items);
        let finite = 0;
        for (let i = 0; i < all.length; i++) if (all[i] > -Infinity) finite++;
        assert.equal(r.items.length, finite);
        for (const i of seenOf(model, u)) {
          if (all[i] > -Infinity) {
            assert.ok(got.has(i), `user ${u}: seen item ${i} (score ${all[i]}) missing with excludeSeen false`);
            seenReturned++;
          }
        }
      }
      assert.ok(seenReturned > 0, 'no seen item was ever returned with excludeSeen: false');
    });

    it('allow-list and deny-list are respected', () => {
      const allow = [0, 3, 4, 5, 8, 9, 12, 17, 21, fx.coldItem];
      for (const u of users) {
        const seen = seenOf(model, u);
        const all = scores(model, u);
        const r = model.recommend(u, { n: N, allow });
        checkList(r, model.nItems, `user ${u}`);
        const ok = allow.filter((i) => !seen.has(i) && all[i] > -Infinity);
        assert.equal(r.items.length, Math.min(N, ok.length), `user ${u}: allow-list result size`);
        for (const i of r.items) assert.ok(ok.includes(i), `user ${u}: item ${i} is not allowed`);
        const plain = model.recommend(u, { n: N });
        const deny = Array.from(plain.items.subarray(0, 3));
        const d = model.recommend(u, { n: N, deny });
        checkList(d, model.nItems, `user ${u}`);
        for (const i of d.items) assert.ok(!deny.includes(i), `user ${u}: denied item ${i} returned`);
        assert.equal(d.items.length, Math.min(N, finiteUnseen(model, u) - deny.length));
      }
    });

    it('a `seen` override replaces the training history', () => {
      for (const u of [0, 20, fx.coldUser]) {
        const plain = model.recommend(u, { n: N });
        const override = Array.from(plain.items.subarray(0, 2));
        const r = model.recommend(u, { n: model.nItems, seen: override });
        for (const i of r.items) assert.ok(!override.includes(i), `user ${u}: overridden seen item ${i} returned`);
        const all = scores(model, u);
        for (const i of seenOf(model, u)) {
          if (all[i] > -Infinity && !override.includes(i)) assert.ok(r.items.includes(i), `user ${u}: training item ${i} should be allowed`);
        }
      }
    });

    it('recommendBatch equals per-user recommend', () => {
      const variants: RecommendOptions[] = [{ n: N }, { n: 7, excludeSeen: false }, { n: 3, deny: [0, 1, 2] }];
      for (const o of variants) {
        const batch = model.recommendBatch(users, o);
        assert.equal(batch.length, users.length);
        users.forEach((u, k) => sameList(batch[k], model.recommend(u, o), tol, `batch user ${u}`));
      }
    });

    it('scoreItems equals scoreAll entries', () => {
      const items = [0, 2, 5, 5, fx.coldItem, data.nItems - 2, 1];
      for (const u of users) {
        const all = scores(model, u);
        const some = model.scoreItems(u, items);
        assert.equal(some.length, items.length);
        items.forEach((i, k) => close(some[k], all[i], tol, `user ${u} item ${i}`));
      }
    });

    it('users without history get a fallback list', () => {
      for (const u of [fx.coldUser, -1]) {
        const r = model.recommend(u, { n: N });
        assert.ok(r.items.length > 0, `user ${u}: empty fallback list`);
        checkList(r, model.nItems, `user ${u}`);
      }
      const ext = model.recommendFor('nobody-knows-me', { n: N });
      assert.ok(ext.length > 0);
      for (const rec of ext) assert.ok(data.items.has(rec.id));
    });

    it('similarItems / similarUsers follow the capabilities', () => {
      if (model.capabilities.similarItems) {
        for (const i of [0, 1, 6, 13]) {
          const r = model.similarItems(i, N);
          assert.ok(r.items.length > 0 && r.items.length <= N, `item ${i}: ${r.items.length} similar items`);
          checkList(r, model.nItems, `similar to item ${i}`);
          assert.ok(!r.items.includes(i), `item ${i} is listed as similar to itself`);
        }
      } else {
        assertCode(() => model.similarItems(0, N), 'E_UNSUPPORTED');
      }
      if (model.capabilities.similarUsers) {
        for (const u of [0, 1, 20]) {
          const r = model.similarUsers(u, N);
          assert.ok(r.items.length > 0 && r.items.length <= N);
          checkList(r, model.nUsers, `similar to user ${u}`);
          assert.ok(!r.items.includes(u), `user ${u} is listed as similar to itself`);
        }
      } else {
        assertCode(() => model.similarUsers(0, N), 'E_UNSUPPORTED');
      }
    });

    it('predict stays within the rating scale (rating models)', () => {
      if (!model.capabilities.rating) {
        assertCode(() => model.predict(0, 0), 'E_UNSUPPORTED');
        return;
      }
      const scale = data.ratingScale;
      for (let u = -1; u < data.nUsers; u++) {
        for (let i = 0; i < data.nItems; i++) {
          const p = model.predict(u, i);
          assert.ok(Number.isFinite(p), `predict(${u}, ${i}) = ${p}`);
          if (scale) assert.ok(p >= scale[0] && p <= scale[1], `predict(${u}, ${i}) = ${p} outside ${scale}`);
        }
      }
    });

    it('save -> load gives identical results', () => {
      const path = join(tmp, `${name}.affm`);
      saveModel(model, path);
      const loaded = loadModel(path);
      assert.equal(loaded.name, model.name);
      assert.deepEqual({ ...loaded.params }, { ...model.params });
      assert.equal(loaded.fitted, true);
      for (const u of users) {
        sameList(loaded.recommend(u, { n: N }), model.recommend(u, { n: N }), 0, `loaded user ${u}`);
        assert.deepEqual(scores(loaded, u), scores(model, u));
      }
      if (model.capabilities.rating) {
        for (const u of [0, 3, fx.coldUser, -1]) for (const i of [0, 4, fx.coldItem]) assert.equal(loaded.predict(u, i), model.predict(u, i));
      }
      if (model.capabilities.similarItems) sameList(loaded.similarItems(1, N), model.similarItems(1, N), 0, 'loaded similarItems');
      if (model.capabilities.similarUsers) sameList(loaded.similarUsers(1, N), model.similarUsers(1, N), 0, 'loaded similarUsers');
    });

    it('two fits with the same parameters give identical scores', async () => {
      const other = make();
      await other.fit(data, fitOpts);
      for (let u = -1; u < data.nUsers; u++) assert.deepEqual(scores(other, u), scores(model, u), `user ${u}`);
    });

    it('an unfitted model throws E_NOT_FITTED', () => {
      const m = make();
      assert.equal(m.fitted, false);
      assertCode(() => m.recommend(0), 'E_NOT_FITTED');
      assertCode(() => m.recommendBatch([0, 1]), 'E_NOT_FITTED');
      assertCode(() => m.scoreItems(0, [0]), 'E_NOT_FITTED');
      assertCode(() => m.toState(), 'E_NOT_FITTED');
      if (m.capabilities.rating) assertCode(() => m.predict(0, 0), 'E_NOT_FITTED');
      if (m.capabilities.similarItems) assertCode(() => m.similarItems(0), 'E_NOT_FITTED');
      if (m.capabilities.similarUsers) assertCode(() => m.similarUsers(0), 'E_NOT_FITTED');
    });

    it('fit rejects on an aborted signal and on empty data', async () => {
      const m = make();
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(m.fit(data, { ...fitOpts, signal: ac.signal }), isCode('E_ABORTED'));
      assert.equal(m.fitted, false);
      await assert.rejects(make().fit(data.subset([]), fitOpts), isCode('E_EMPTY'));
    });

    it('scoreHistory / recommendHistory: a trained user\'s history gives their list; cold start; bad input', () => {
      const min = opts.historyOverlap?.min ?? 6;
      const k = 10;
      const overlaps: number[] = [];
      for (const u of users.filter((x) => x >= 0 && x < fx.coldUser)) {
        const { items, values } = historyOf(model, u);
        const own = model.recommend(u, { n: k });
        const hist = model.recommendHistory(items, values, { n: k });
        checkList(hist, model.nItems, `history of user ${u}`);
        const got = new Set(hist.items);
        let o = 0;
        for (const i of own.items) if (got.has(i)) o++;
        overlaps.push(o);
        // never the history's own items, even when every item is asked for
        const all = model.recommendHistory(items, values, { n: model.nItems });
        for (const i of all.items) assert.ok(!items.includes(i), `user ${u}: recommendHistory returned history item ${i}`);
        // deterministic, and null values mean 1
        const a = new Float32Array(model.nItems);
        const b = new Float32Array(model.nItems);
        model.scoreHistory(items, values, a);
        model.scoreHistory(items, values, b);
        assert.deepEqual(b, a, `user ${u}: scoreHistory is not deterministic`);
        model.scoreHistory(items, null, a);
        model.scoreHistory(items, new Float32Array(items.length).fill(1), b);
        assert.deepEqual(b, a, `user ${u}: null values differ from values of 1`);
      }
      for (const [t, o] of overlaps.entries()) {
        assert.ok(o >= min, `top-${k} overlap of recommendHistory with recommend is ${o} < ${min} (all: ${overlaps})${opts.historyOverlap ? ` (relaxed: ${opts.historyOverlap.why})` : ''} at probe ${t}`);
      }
      // the empty history gets the cold-start scores of an unknown user
      const cold = scores(model, -1);
      const empty = new Float32Array(model.nItems).fill(Number.NaN);
      model.scoreHistory([], null, empty);
      cold.forEach((c, i) => close(empty[i], c, tol, `empty history, item ${i}`));
      assert.ok(model.recommendHistory([], null, { n: N }).items.length > 0, 'empty history: empty list');
      // bad input
      const bad = (items: number[], values: number[] | null, code: ErrorCode, field: string): void => {
        assert.throws(() => model.scoreHistory(items, values, new Float32Array(model.nItems)), (e: unknown) => {
          assert.ok(e instanceof AffinityError && e.code === code, `expected ${code}, got ${String(e)}`);
          assert.equal(e.field, field);
          return true;
        });
      };
      bad([0, model.nItems], null, 'E_UNKNOWN_ID', 'items');
      bad([-1], null, 'E_UNKNOWN_ID', 'items');
      bad([1.5], null, 'E_UNKNOWN_ID', 'items');
      bad([0, 1], [1], 'E_PARAM', 'values');
      bad([0, 1], [1, Number.NaN], 'E_PARAM', 'values');
      assertCode(() => make().recommendHistory([0], null), 'E_NOT_FITTED');
    });

    // Opt-in: models that cannot learn the structure (popularity, random) do not register this test.
    if (opts.checkerboard) it('checkerboard: top-5 of each user are of their own parity', async () => {
      const cb = checkerboardFixture();
      const m = make();
      await m.fit(opts.itemFeatures ? withSyntheticItemFeatures(cb.data) : cb.data, fitOpts);
      for (let u = 0; u < cb.coldUser; u++) {
        const r = m.recommend(u, { n: 5 });
        assert.equal(r.items.length, 5);
        for (const i of r.items) assert.equal(i % 2, checkerboardParity(u), `user ${u} got item ${i} of the other parity: ${Array.from(r.items)}`);
      }
    });
  });
}

function scores(m: BaseRecommender, u: number): Float32Array {
  const out = new Float32Array(m.nItems);
  m.scoreAll(u, out);
  return out;
}

/** The training row of user u as an ad-hoc history. */
function historyOf(m: BaseRecommender, u: number): { items: number[]; values: number[] } {
  const { indptr, indices, data } = m.seen;
  return { items: Array.from(indices.subarray(indptr[u], indptr[u + 1])), values: Array.from(data.subarray(indptr[u], indptr[u + 1])) };
}

function seenOf(m: BaseRecommender, u: number): Set<number> {
  const s = new Set<number>();
  if (u < 0 || u >= m.seen.nRows) return s;
  for (let p = m.seen.indptr[u]; p < m.seen.indptr[u + 1]; p++) s.add(m.seen.indices[p]);
  return s;
}

/** Number of items with a selectable (not NaN, not -Infinity) score that the user has not seen. */
function finiteUnseen(m: BaseRecommender, u: number): number {
  const all = scores(m, u);
  const seen = seenOf(m, u);
  let n = 0;
  for (let i = 0; i < all.length; i++) if (all[i] > -Infinity && !seen.has(i)) n++;
  return n;
}

function checkList(r: ScoredItems, size: number, what: string): void {
  assert.equal(r.items.length, r.scores.length, `${what}: items and scores differ in length`);
  const s = new Set<number>();
  for (let k = 0; k < r.items.length; k++) {
    const i = r.items[k];
    assert.ok(Number.isInteger(i) && i >= 0 && i < size, `${what}: index ${i} out of range`);
    assert.ok(!s.has(i), `${what}: duplicate ${i}`);
    s.add(i);
    assert.ok(!Number.isNaN(r.scores[k]), `${what}: NaN score`);
    if (k > 0) assert.ok(r.scores[k - 1] >= r.scores[k], `${what}: scores not descending at ${k}: ${r.scores[k - 1]} < ${r.scores[k]}`);
  }
}

function sameList(a: ScoredItems, b: ScoredItems, tol: number, what: string): void {
  assert.deepEqual(Array.from(a.items), Array.from(b.items), `${what}: items differ`);
  for (let k = 0; k < a.scores.length; k++) close(a.scores[k], b.scores[k], tol, `${what} #${k}`);
}

function close(a: number, b: number, tol: number, what: string): void {
  if (tol === 0 || !Number.isFinite(a) || !Number.isFinite(b)) assert.equal(a, b, what);
  else assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(a)), `${what}: ${a} vs ${b}`);
}

function isCode(code: ErrorCode): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof AffinityError, `expected AffinityError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return true;
  };
}

function assertCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, isCode(code));
}

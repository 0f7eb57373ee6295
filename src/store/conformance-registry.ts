/**
 * Store conformance, part two: model registry and rollback, experiments and their logs, API keys,
 * concurrency sanity, use after close. Called from storeConformance (conformance.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventInput } from './types.js';
import { rejectsWith, withStore, type StoreFactory } from './conformance.js';

export function registryConformance(factory: StoreFactory): void {
  test('model registry: versions per name, blobs, activation and rollback', async () => {
    await withStore(factory, async (s, _db, clock) => {
      const blob = (n: number) => Uint8Array.from({ length: n }, (_, k) => (k * 37 + n) & 255);
      const v1 = await s.saveModel({ name: 'als', params: { factors: 32 }, metrics: { ndcg10: 0.31 }, blob: blob(1000), activate: true });
      assert.deepEqual(v1, { id: v1.id, name: 'als', version: 1, params: { factors: 32 }, metrics: { ndcg10: 0.31 }, size: 1000, createdAt: 1_700_000_000_000, active: true });
      clock.advance(1);
      const other = await s.saveModel({ name: 'ease', blob: blob(3), activate: true });
      const v2 = await s.saveModel({ name: 'als', params: { factors: 64 }, blob: blob(2048), activate: true });
      const v3 = await s.saveModel({ name: 'als', blob: new Uint8Array(0) });
      assert.deepEqual([v2.version, v3.version, other.version], [2, 3, 1]);
      assert.equal(v3.active, false, 'saving does not activate unless asked');
      assert.equal((await s.activeModel('als'))?.id, v2.id);
      assert.equal((await s.activeModel('ease'))?.id, other.id, 'each name has its own active version');
      assert.deepEqual(await s.loadModelBlob(v2.id), blob(2048));
      assert.deepEqual(await s.loadModelBlob(v3.id), new Uint8Array(0));
      assert.equal(await s.loadModelBlob(99_999), null);
      // rollback to version 1
      const back = await s.activateModel(v1.id);
      assert.equal(back.active, true);
      const als = await s.listModels('als');
      assert.deepEqual(als.map((m) => [m.version, m.active]), [[3, false], [2, false], [1, true]]);
      assert.equal((await s.listModels()).length, 4);
      assert.equal((await s.getModel(other.id))?.active, true);
      const upd = await s.updateModelMetrics(v3.id, { ndcg10: 0.35, recall20: 0.4 });
      assert.deepEqual(upd.metrics, { ndcg10: 0.35, recall20: 0.4 });
      assert.deepEqual((await s.getModel(v3.id))?.metrics, { ndcg10: 0.35, recall20: 0.4 });
      await rejectsWith(s.activateModel(99_999), 'E_UNKNOWN_ID', 'id: no model version 99999');
      await rejectsWith(s.updateModelMetrics(99_999, {}), 'E_UNKNOWN_ID', 'id:');
      await rejectsWith(s.saveModel({ name: '', blob: blob(1) }), 'E_PARAM', 'name:');
      assert.equal(await s.getModel(99_999), null);
      assert.equal(await s.activeModel('nothing'), null);
    });
  });

  test('experiments: variants, status, exposure and outcome logs, per-variant stats', async () => {
    await withStore(factory, async (s, _db, clock) => {
      const e = await s.createExperiment({ id: 'exp1', name: 'ALS vs EASE', variants: [{ name: 'control', config: { model: 'als' } }, { name: 'treat', weight: 3, config: { model: 'ease' } }] });
      assert.deepEqual(e, {
        id: 'exp1', name: 'ALS vs EASE', status: 'draft', createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000,
        variants: [{ name: 'control', weight: 1, config: { model: 'als' } }, { name: 'treat', weight: 3, config: { model: 'ease' } }],
      });
      await rejectsWith(s.createExperiment({ id: 'exp1', variants: [{ name: 'a' }] }), 'E_PARAM', 'experiment.id: expected an id not used');
      await rejectsWith(s.createExperiment({ id: 'x', variants: [{ name: 'a' }, { name: 'a' }] }), 'E_PARAM', 'experiment.variants[1].name:');
      await rejectsWith(s.createExperiment({ id: 'x', variants: [{ name: 'a', weight: 0 }] }), 'E_PARAM', 'experiment.variants[0].weight: expected a positive number');
      clock.advance(100);
      assert.equal((await s.setExperimentStatus('exp1', 'running')).status, 'running');
      await rejectsWith(s.setExperimentStatus('nope', 'running'), 'E_UNKNOWN_ID', 'id: no experiment "nope"');
      // control: users c0..c9 see 2 impressions each, 4 clicks by c0,c0,c1,c2, 1 conversion (c1, 20.5)
      // treat: users t0..t4 see 1 impression each, 3 clicks by t0,t1,t1, 2 conversions (t0 10, t1 5)
      const log = [];
      for (let k = 0; k < 10; k++) for (let r = 0; r < 2; r++) log.push({ experiment: 'exp1', variant: 'control', user: `c${k}`, kind: 'impression' as const, item: `i${r}`, timestamp: 1000 + k });
      for (const u of ['c0', 'c0', 'c1', 'c2']) log.push({ experiment: 'exp1', variant: 'control', user: u, kind: 'click' as const, timestamp: 5000 });
      log.push({ experiment: 'exp1', variant: 'control', user: 'c1', kind: 'conversion' as const, value: 20.5, timestamp: 9000 });
      for (let k = 0; k < 5; k++) log.push({ experiment: 'exp1', variant: 'treat', user: `t${k}`, kind: 'impression' as const, timestamp: 1000 });
      for (const u of ['t0', 't1', 't1']) log.push({ experiment: 'exp1', variant: 'treat', user: u, kind: 'click' as const, timestamp: 5000 });
      log.push({ experiment: 'exp1', variant: 'treat', user: 't0', kind: 'conversion' as const, value: 10, timestamp: 9000 });
      log.push({ experiment: 'exp1', variant: 'treat', user: 't1', kind: 'conversion' as const, value: 5, timestamp: 9000 });
      assert.equal(await s.logExperiment(log), 35);
      const bad = [{ experiment: 'exp1', variant: 'control', user: 'c0', kind: 'click' as const }, { experiment: 'exp1', variant: 'ctrl', user: 'c0', kind: 'click' as const }];
      await rejectsWith(s.logExperiment(bad), 'E_PARAM', 'entries[1].variant: expected a variant of experiment "exp1"');
      await rejectsWith(s.logExperiment([{ experiment: 'zzz', variant: 'a', user: 'u', kind: 'click' }]), 'E_UNKNOWN_ID', 'entries[0].experiment:');
      await rejectsWith(s.logExperiment([{ experiment: 'exp1', variant: 'treat', user: 'u', kind: 'view' as 'click' }]), 'E_PARAM', 'entries[0].kind:');
      assert.deepEqual(await s.experimentStats('exp1'), [
        { variant: 'control', impressions: 20, clicks: 4, conversions: 1, exposedUsers: 10, clickUsers: 3, convertedUsers: 1, conversionValue: 20.5 },
        { variant: 'treat', impressions: 5, clicks: 3, conversions: 2, exposedUsers: 5, clickUsers: 2, convertedUsers: 2, conversionValue: 15 },
      ]);
      const early = await s.experimentStats('exp1', { until: 5000 });
      assert.deepEqual(early.map((v) => [v.impressions, v.clicks, v.conversions]), [[20, 0, 0], [5, 0, 0]]);
      assert.deepEqual((await s.listExperiments()).map((x) => [x.id, x.status, x.updatedAt]), [['exp1', 'running', 1_700_000_000_100]]);
      assert.equal(await s.getExperiment('none'), null);
      await rejectsWith(s.experimentStats('none'), 'E_UNKNOWN_ID', 'id:');
    });
  });

  test('API keys: hashed, scoped, verified, revoked; a given secret is idempotent', async () => {
    await withStore(factory, async (s) => {
      const w = await s.createApiKey({ name: 'ingest', scopes: ['write', 'read', 'write'] });
      assert.match(w.secret, /^aff_[A-Za-z0-9_-]{32}$/);
      assert.deepEqual(w.record.scopes, ['write', 'read']);
      assert.deepEqual(await s.verifyApiKey(w.secret), w.record);
      assert.equal(await s.verifyApiKey(w.secret + 'x'), null);
      assert.equal(await s.verifyApiKey(''), null);
      const given = 'operator-secret-0123456789';
      const r1 = await s.createApiKey({ name: 'dash', scopes: ['read'], secret: given });
      const r2 = await s.createApiKey({ name: 'dashboard', scopes: ['read'], secret: given });
      assert.equal(r2.record.id, r1.record.id, 'the same secret is the same key');
      assert.equal(r2.record.name, 'dashboard');
      const listed = await s.listApiKeys();
      assert.equal(listed.length, 2);
      assert.ok(!JSON.stringify(listed).includes(w.secret) && !JSON.stringify(listed).includes(given), 'secrets are not stored');
      assert.equal(await s.revokeApiKey(w.record.id), true);
      assert.equal(await s.revokeApiKey(w.record.id), false);
      assert.equal(await s.verifyApiKey(w.secret), null);
      assert.equal((await s.verifyApiKey(given))?.name, 'dashboard');
      await rejectsWith(s.createApiKey({ name: 'x', scopes: ['admin' as 'read'] }), 'E_PARAM', 'apiKey.scopes[0]:');
      await assert.rejects(s.createApiKey({ name: 'x', scopes: ['read'], secret: 'short-secret' }), (e: Error) => !e.message.includes('short-secret'));
    });
  });

  test('concurrency: interleaved batches on two connections keep seqs dense and keys unique', async () => {
    await withStore(factory, async (s, db) => {
      const s2 = await db.open();
      try {
        const batches: EventInput[][] = [];
        for (let b = 0; b < 8; b++) {
          const batch: EventInput[] = [];
          // keys k0..k299 each appear in two batches (b and b^1): 8 x 75 rows, 300 distinct keys
          for (let k = 0; k < 75; k++) batch.push({ user: `u${k % 13}`, item: `i${(k * 7 + b) % 29}`, type: 'view', key: `k${(b >> 1) * 75 + k}` });
          batches.push(batch);
        }
        const results = await Promise.all(batches.map((batch, b) => (b % 2 ? s2 : s).insertEvents(batch)));
        assert.equal(results.reduce((t, r) => t + r.inserted, 0), 300);
        assert.equal(results.reduce((t, r) => t + r.duplicates, 0), 300);
        const all = (await s2.readEvents({ limit: 1000 })).events;
        assert.deepEqual(all.map((e) => e.seq), Array.from({ length: 300 }, (_, k) => k + 1), 'dense seqs in commit order');
        assert.equal(new Set(all.map((e) => e.key)).size, 300);
        // both rows with a key got the same seq, and that seq holds the key
        const seqOf = new Map(all.map((e) => [e.key, e.seq]));
        results.forEach((r, b) => r.results.forEach((x, k) => assert.equal(x.seq, seqOf.get(batches[b][k].key ?? ''))));
        const models = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => (k % 2 ? s2 : s).saveModel({ name: 'm', blob: new Uint8Array([k]), activate: true })));
        assert.deepEqual(models.map((m) => m.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
        assert.equal((await s.listModels('m')).filter((m) => m.active).length, 1);
        const [c1, c2] = await Promise.all([s.counts(), s2.counts()]);
        assert.deepEqual(c1, c2);
        assert.equal(c1.users, 13);
      } finally {
        await s2.close();
      }
    });
  });

  test('a closed store refuses work', async () => {
    const db = await factory.create();
    const s = await db.open();
    await s.close();
    await s.close();
    try {
      await rejectsWith(s.getUser('u'), 'E_IO', 'store: used after close()');
      await rejectsWith(s.insertEvents([{ user: 'u', item: 'i', type: 'view' }]), 'E_IO', 'store: used after close()');
    } finally {
      await db.dispose();
    }
  });
}

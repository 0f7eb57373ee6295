import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AffinityError } from '../core/errors.js';
import { parseRetrainMinutes, parseServeModel, parseVariants, serveOptions } from './serve.js';

/** Asserts fn throws E_PARAM whose field is `field` and whose message names it and contains `text`. */
function paramFails(fn: () => unknown, field: string, text?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AffinityError, String(e));
    assert.equal(e.code, 'E_PARAM');
    assert.equal(e.field, field);
    assert.ok(e.message.includes(field), e.message);
    if (text !== undefined) assert.ok(e.message.includes(text), e.message);
    return true;
  });
}

describe('affinity serve --variant', () => {
  it('maps name=model[:k=v...] (repeatable) to the engine variants', () => {
    assert.deepEqual(parseVariants(['knn=item-knn:k=20:shrinkage=10', 'pop=popularity']), {
      knn: { model: 'item-knn', params: { k: '20', shrinkage: '10' } },
      pop: { model: 'popularity' },
    });
    assert.deepEqual(parseVariants([]), {});
    const o = serveOptions({ auth: 'on', variant: ['knn=item-knn:k=20'] }, {});
    assert.deepEqual(o.engineOptions?.variants, { knn: { model: 'item-knn', params: { k: '20' } } });
  });

  it('rejects bad specs with E_PARAM naming --variant', () => {
    paramFails(() => parseVariants(['item-knn']), '--variant', '"item-knn"'); // no name=
    paramFails(() => parseVariants(['=item-knn']), '--variant');
    paramFails(() => parseVariants(['knn=']), '--variant');
    paramFails(() => parseVariants(['knn:k=3=item-knn']), '--variant'); // ':' before '='
    paramFails(() => parseVariants(['knn=item-knn:k']), '--variant', 'key=value');
    paramFails(() => parseVariants(['knn=no-such-model']), '--variant', 'no-such-model');
    paramFails(() => parseVariants(['knn=item-knn:nope=1']), '--variant', 'nope');
    paramFails(() => parseVariants(['knn=item-knn:k=zero']), '--variant', 'zero');
    paramFails(() => parseVariants(['bad name=item-knn']), '--variant');
    paramFails(() => parseVariants(['knn=item-knn', 'knn=popularity']), '--variant', 'repeated');
    // a variant may not take a name of the default (its model name, or 'default')
    paramFails(() => parseVariants(['als=item-knn']), '--variant', 'default');
    paramFails(() => parseVariants(['default=item-knn']), '--variant');
    paramFails(() => serveOptions({ auth: 'on', model: 'item-knn', variant: ['item-knn=popularity'] }, {}), '--variant');
  });
});

describe('affinity serve --model, --retrain-every, --demo-data and the environment', () => {
  it('--model takes name[:k=v...]', () => {
    assert.deepEqual(parseServeModel('als:factors=8'), { model: 'als', params: { factors: '8' } });
    assert.deepEqual(serveOptions({ auth: 'on', model: 'item-knn' }, {}).engineOptions, { model: 'item-knn' });
    paramFails(() => parseServeModel('nope'), '--model', 'nope');
    paramFails(() => parseServeModel('als:factors=-1'), '--model', 'factors');
  });

  it('--retrain-every is minutes (fractions allowed, >= 1 s); AFFINITY_RETRAIN_MINUTES when the flag is absent', () => {
    assert.equal(parseRetrainMinutes('--retrain-every', '30'), 1_800_000);
    assert.equal(parseRetrainMinutes('--retrain-every', '0.5'), 30_000);
    assert.equal(parseRetrainMinutes('--retrain-every', '0.02'), 1200);
    assert.equal(parseRetrainMinutes('--retrain-every', '0'), null);
    assert.equal(parseRetrainMinutes('--retrain-every', 'off'), null);
    for (const bad of ['', 'x', '-1', '0.01', 'Infinity', '1e400']) paramFails(() => parseRetrainMinutes('--retrain-every', bad), '--retrain-every');
    assert.equal(serveOptions({ auth: 'on', retrainEvery: '2' }, {}).engineOptions?.retrainEvery, 120_000);
    assert.equal(serveOptions({ auth: 'on' }, { AFFINITY_RETRAIN_MINUTES: '5' }).engineOptions?.retrainEvery, 300_000);
    // the flag wins over the environment
    assert.equal(serveOptions({ auth: 'on', retrainEvery: '1' }, { AFFINITY_RETRAIN_MINUTES: '5' }).engineOptions?.retrainEvery, 60_000);
    assert.equal(serveOptions({ auth: 'on' }, {}).engineOptions?.retrainEvery, undefined);
    paramFails(() => serveOptions({ auth: 'on' }, { AFFINITY_RETRAIN_MINUTES: 'soon' }), 'AFFINITY_RETRAIN_MINUTES');
  });

  it('other flags: port, auth, demo data, rate limit', () => {
    const o = serveOptions({ auth: 'off', port: '0', demo: true, demoData: 'synthetic', db: 'sqlite::memory:', quiet: true }, { AFFINITY_RATE_MAX: '50' });
    assert.equal(o.port, 0);
    assert.equal(o.auth, 'off');
    assert.equal(o.demo, true);
    assert.equal(o.demoData, 'synthetic');
    assert.equal(o.dbUrl, 'sqlite::memory:');
    assert.equal(o.logger, false);
    assert.deepEqual(o.limits, { rateMax: 50 });
    paramFails(() => serveOptions({ auth: 'maybe' }, {}), '--auth');
    paramFails(() => serveOptions({ auth: 'on', demoData: '/no/such/folder' }, {}), '--demo-data');
    paramFails(() => serveOptions({ auth: 'on' }, { AFFINITY_RATE_MAX: '0' }), 'AFFINITY_RATE_MAX');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, esc, lineChart, niceTicks } from './svg.js';

/** Minimal XML well-formedness check: every tag closes in order; returns the element names seen. */
function parseTags(svg: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (close) assert.equal(stack.pop(), name, `closing </${name}>`);
    else {
      names.push(name);
      if (!self) stack.push(name);
    }
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  return names;
}

describe('svg charts', () => {
  it('nice ticks', () => {
    assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0.03, 0.27, 5), [0.05, 0.1, 0.15, 0.2, 0.25]);
    assert.deepEqual(niceTicks(0, 1, 4), [0, 0.5, 1]);
  });

  it('line chart: one polyline and one marker per point per series, legend, labels, escaped', () => {
    const svg = lineChart(
      [
        { name: 'popularity', x: [0, 1, 3, 5, 10], y: [0.1, 0.1, 0.1, 0.1, 0.1] },
        { name: 'ALS <fold-in>', x: [0, 1, 3, 5, 10], y: [0.1, 0.12, 0.15, 0.18, 0.22] },
      ],
      { title: 'New users', xLabel: 'known interactions', yLabel: 'NDCG@10' },
    );
    const names = parseTags(svg);
    assert.equal(names[0], 'svg');
    assert.equal(names.filter((n) => n === 'polyline').length, 2);
    assert.equal(names.filter((n) => n === 'circle').length, 10);
    assert.ok(svg.includes('>New users</text>') && svg.includes('>known interactions</text>') && svg.includes('>NDCG@10</text>'));
    assert.ok(svg.includes('data-name="ALS &lt;fold-in&gt;"') && svg.includes('>ALS &lt;fold-in&gt;</text>'));
    const xt = [...svg.matchAll(/class="xtick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.deepEqual(xt, ['0', '1', '3', '5', '10']);
  });

  it('bar chart: one rect per finite value, heights proportional', () => {
    const svg = barChart(['a', 'b'], [{ name: 's1', y: [1, 2] }, { name: 's2', y: [4, Number.NaN] }], { yLabel: 'v' });
    parseTags(svg);
    const heights = [...svg.matchAll(/<rect class="bar" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)" fill="#/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 3);
    assert.ok(Math.abs(heights[1] / heights[0] - 2) < 0.02 && Math.abs(heights[2] / heights[0] - 4) < 0.02, `heights ${heights}`);
    assert.throws(() => barChart(['a'], [{ name: 's', y: [1, 2] }]), /one per category/);
    assert.equal(esc('a&b'), 'a&amp;b');
  });
});

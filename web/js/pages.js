// Dashboard pages: user, item, models, experiments.
import { enc, get, post } from './api.js';
import { barChart, lineChart } from './charts.js';
import { card, errorBox, fmt, h, itemLink, pct, table, userLink, when } from './dom.js';

function recTable(items) {
  if (!items.length) return h('p', { class: 'muted' }, 'none');
  return table(['#', 'item', 'score', 'source', 'why'],
    items.map((r, i) => [String(i + 1), itemLink(r.id, r.title || r.id), fmt(r.score), r.source, h('span', { class: 'explain' }, r.explanation)]), [0, 2]);
}

function tiles(items) {
  return h('div', { class: 'row-strip' }, items.map((r) => h('div', { class: 'tile' },
    h('div', { class: 'title' }, itemLink(r.id, r.title || r.id)), h('div', { class: 'explain' }, r.explanation))));
}

function settled(p) {
  return p.then((v) => ({ ok: true, v }), (e) => ({ ok: false, e }));
}

export async function userPage(id) {
  const [user, events, recs, rows, similar] = await Promise.all([
    get(`/v1/users/${enc(id)}`),
    get(`/v1/users/${enc(id)}/events?n=20`),
    settled(get(`/v1/users/${enc(id)}/recommendations?n=10`)),
    settled(get(`/v1/users/${enc(id)}/rows`)),
    settled(get(`/v1/users/${enc(id)}/similar?n=5`)),
  ]);
  const ids = [...new Set(events.events.map((e) => e.item))];
  const titles = new Map();
  if (ids.length) {
    const found = await Promise.all(ids.slice(0, 20).map((i) => get(`/v1/items/${enc(i)}`).catch(() => null)));
    for (const it of found) if (it) titles.set(it.id, it.title);
  }
  const history = table(['when', 'type', 'item', 'value'],
    events.events.map((e) => [when(e.timestamp), e.type, itemLink(e.item, titles.get(e.item) || e.item), e.value === null ? '' : fmt(e.value)]), [3]);
  const recCard = recs.ok
    ? card(`Recommendations${recs.v.experiment ? ` (experiment ${recs.v.experiment.id}: ${recs.v.experiment.variant})` : ''}`,
        h('p', { class: 'muted' }, `model version ${recs.v.modelVersion ?? '–'}${recs.v.cached ? ' · cached' : ''}`), h('div', { id: 'recommendations' }, recTable(recs.v.items)))
    : card('Recommendations', errorBox(recs.e));
  const rowCards = rows.ok
    ? rows.v.rows.map((r) => card(r.title, h('p', { class: 'explain' }, r.reason), tiles(r.items)))
    : [card('Rows', errorBox(rows.e))];
  const simCard = similar.ok ? card('Similar users', table(['user', 'similarity'], similar.v.users.map((u) => [userLink(u.id), fmt(u.score)]), [1])) : null;
  return [h('h1', {}, `User ${user.id}`),
    h('p', { class: 'muted' }, `created ${when(user.createdAt)} · labels: ${user.labels.join(', ') || '–'} · features: ${JSON.stringify(user.features)}`),
    h('div', { class: 'grid' }, recCard, card('History (latest events)', history)),
    h('h2', {}, 'Presentation rows'), ...rowCards, simCard];
}

export async function itemPage(id) {
  const [item, similar] = await Promise.all([get(`/v1/items/${enc(id)}`), settled(get(`/v1/items/${enc(id)}/similar?n=10`))]);
  const flags = [item.hidden ? 'hidden' : '', item.outOfStock ? 'out of stock' : '', item.deleted ? 'deleted' : ''].filter(Boolean);
  const details = table(['', ''], [
    ['title', item.title || '–'], ['categories', item.categories.map((c) => h('span', { class: 'pill' }, c))],
    ['labels', item.labels.join(', ') || '–'], ['published', when(item.timestamp)], ['flags', flags.join(', ') || '–'],
    ['features', JSON.stringify(item.features)], ['updated', when(item.updatedAt)],
  ]);
  return [h('h1', {}, item.title ? `${item.title}` : `Item ${item.id}`), h('p', { class: 'muted' }, `id ${item.id}`),
    h('div', { class: 'grid' }, card('Details', details),
      card('Similar items', similar.ok ? h('div', { id: 'similar' }, recTable(similar.v.items)) : errorBox(similar.e)))];
}

let flash = null;

export async function modelsPage(rerender) {
  const res = await get('/v1/models');
  const models = res.models;
  const metricNames = [...new Set(models.flatMap((m) => Object.keys(m.metrics)))].filter((k) => /@/.test(k)).sort();
  const chrono = [...models].sort((a, b) => a.id - b.id);
  const plot = lineChart(metricNames.map((k) => ({ name: k, x: chrono.filter((m) => typeof m.metrics[k] === 'number').map((m) => m.id),
    y: chrono.filter((m) => typeof m.metrics[k] === 'number').map((m) => m.metrics[k]) })),
  { title: 'Offline metrics by model version (holdout)', yLabel: 'metric', xLabel: 'version id', xFormat: (v) => `#${v}` });
  const timePlot = barChart([{ label: 'training time (s)', bars: chrono.filter((m) => typeof m.metrics.trainSeconds === 'number').map((m) => ({ name: `#${m.id}`, value: m.metrics.trainSeconds })) }],
    { title: 'Training time per version', yLabel: 'seconds', height: 220 });
  const msg = h('div', { id: 'model-message' }, flash ? h('p', {}, flash) : null);
  flash = null;
  const activate = (m) => async () => {
    try {
      const v = await post(`/v1/models/${m.id}/activate`, {});
      flash = `activated ${v.name} v${v.version}`;
      rerender();
    } catch (e) {
      msg.replaceChildren(errorBox(e));
    }
  };
  const retrain = async () => {
    msg.replaceChildren(h('p', { class: 'muted' }, 'training…'));
    try {
      const v = await post('/v1/models/retrain', { reason: 'dashboard' });
      flash = `trained ${v.name} v${v.version}`;
      rerender();
    } catch (e) {
      msg.replaceChildren(errorBox(e));
    }
  };
  const rows = models.map((m) => [`#${m.id}`, `${m.name} v${m.version}`, when(m.createdAt), String(m.params.model ?? ''),
    ...metricNames.map((k) => fmt(m.metrics[k] ?? null)), fmt(m.metrics.interactions ?? null), fmt(m.metrics.trainSeconds ?? null),
    m.active ? h('span', { class: 'pill active' }, 'active') : h('button', { type: 'button', class: 'small secondary activate', onclick: activate(m) }, 'activate')]);
  const e = res.engine;
  return [h('h1', {}, 'Models'),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: retrain, id: 'retrain' }, 'Retrain now'),
      h('span', { class: 'muted' }, `serving ${e.modelName ?? '–'} v${e.modelVersion ?? '–'}${e.training ? ' · training' : ''}`)), msg,
    h('div', { class: 'grid' }, card(null, plot), card(null, timePlot)),
    card('Training runs', table(['id', 'version', 'created', 'model', ...metricNames, 'interactions', 'train s', ''], rows, [4, 5, 6, 7]))];
}

function experimentCard(r) {
  const groups = (key) => ({ label: key === 'ctr' ? 'CTR (clicks / impressions)' : 'conversion (users)', bars: r.variants.map((v) => ({ name: v.variant, value: v[key].rate, low: v[key].low, high: v[key].high })) });
  const chart = barChart([groups('ctr'), groups('conversion')], { title: `${r.experiment.name || r.experiment.id}: rates with 95% Wilson intervals`, yLabel: 'rate', yFormat: (v) => `${Math.round(v * 1000) / 10}%` });
  const cmp = (c) => (c ? h('span', { class: c.significant ? 'sig' : '' }, `${c.diff >= 0 ? '+' : ''}${(100 * c.diff).toFixed(2)} pts, z=${c.z.toFixed(2)}, p=${c.pValue < 1e-4 ? c.pValue.toExponential(1) : c.pValue.toFixed(4)}${c.significant ? ' ✓' : ''}`) : 'control');
  const rows = r.variants.map((v) => [v.variant, fmt(v.weight), JSON.stringify(v.config), fmt(v.impressions), fmt(v.clicks),
    `${pct(v.ctr.rate, 2)} [${pct(v.ctr.low, 2)}, ${pct(v.ctr.high, 2)}]`, `${fmt(v.convertedUsers)}/${fmt(v.exposedUsers)}`,
    `${pct(v.conversion.rate, 2)} [${pct(v.conversion.low, 2)}, ${pct(v.conversion.high, 2)}]`,
    v.vsControl ? cmp(v.vsControl.ctr) : 'control', v.vsControl ? cmp(v.vsControl.conversion) : 'control']);
  return card(null,
    h('h2', {}, `${r.experiment.id} `, h('span', { class: `pill ${r.experiment.status}` }, r.experiment.status)),
    chart,
    table(['variant', 'weight', 'config', 'impressions', 'clicks', 'CTR [95% CI]', 'converted/exposed', 'conversion [95% CI]', 'CTR vs control', 'conversion vs control'], rows, [1, 3, 4]),
    h('p', { class: 'explain' }, `${r.method}; alpha ${r.alpha}.`));
}

export async function experimentsPage() {
  const list = await get('/v1/experiments');
  if (!list.experiments.length) return [h('h1', {}, 'Experiments'), card(null, h('p', { class: 'muted' }, 'No experiments yet: POST /v1/experiments.'))];
  const results = await Promise.all(list.experiments.map((e) => get(`/v1/experiments/${enc(e.id)}/results`)));
  return [h('h1', {}, 'Experiments'), ...results.map(experimentCard)];
}

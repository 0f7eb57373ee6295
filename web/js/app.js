// Dashboard entry: hash router (#/, #/users, #/items, #/user/ID, #/item/ID, #/models, #/experiments).
import { askKey, captureKeyFromHash, enc, get } from './api.js';
import { barChart, lineChart } from './charts.js';
import { card, errorBox, fmt, h, itemLink, pct, table, userLink, when } from './dom.js';
import { experimentsPage, itemPage, modelsPage, userPage } from './pages.js';

const main = document.getElementById('main');

async function overview() {
  const [stats, models, drift] = await Promise.all([get('/v1/stats'), get('/v1/models'), get('/v1/stats/drift').catch(() => null)]);
  const c = stats.counts;
  const e = stats.engine;
  const stat = (label, value) => h('div', { class: 'card stat' }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
  const cards = h('div', { class: 'cards' },
    stat('Users', fmt(c.users)), stat('Items', fmt(c.items)), stat('Events', fmt(c.events)),
    stat('Model version', e.modelVersion === null ? '–' : `v${e.modelVersion}`), stat('Cache hit rate', pct(e.cache.hitRatio)),
    stat('Experiments', fmt(c.experiments)));
  // Event rate: one series per type over the histogram buckets.
  const hist = stats.histogram;
  const types = [...new Set(hist.buckets.map((b) => b.type))].sort();
  const starts = [];
  for (let t = hist.since; t < hist.until; t += hist.bucketMs) starts.push(t);
  const series = types.map((t) => {
    const by = new Map(hist.buckets.filter((b) => b.type === t).map((b) => [b.start, b.count]));
    return { name: t, x: starts, y: starts.map((s) => by.get(s) || 0) };
  });
  const hours = hist.bucketMs / 3600000;
  const rate = lineChart(series, {
    title: `Events per ${hours === 1 ? 'hour' : hours + ' h'} (to the newest event)`,
    yLabel: 'events',
    xFormat: (v) => new Date(v).toISOString().slice(5, 13).replace('T', ' ') + 'h',
  });
  const byType = barChart([{ label: 'events by type', bars: stats.eventsByType.map((t) => ({ name: t.type, value: t.count })) }], { title: 'Events stored, by type', yLabel: 'events' });
  const modelRows = models.models.slice(0, 8).map((m) => [
    `${m.name} v${m.version}`, when(m.createdAt), fmt(m.metrics['ndcg@10'] ?? m.metrics.ndcg10 ?? null), m.active ? h('span', { class: 'pill active' }, 'active') : '',
  ]);
  const engine = table(['', ''], [
    ['ready', String(e.ready)], ['training', String(e.training)], ['model', e.modelName ?? '–'], ['trained at', when(e.trainedAt)],
    ['users / items in model', `${fmt(e.users)} / ${fmt(e.items)}`], ['last event seq', fmt(e.lastEventSeq)],
    ['cache', `${fmt(e.cache.hits)} hits, ${fmt(e.cache.misses)} misses, ${fmt(e.cache.size)} entries`],
  ]);
  const driftCard = drift
    ? card('Drift (recent events vs training data)',
        table(['indicator', 'value'], [
          ['event-type JS divergence', fmt(drift.eventTypeJsd)], ['item-popularity JS divergence', fmt(drift.itemJsd)],
          ['events on items unknown to the model', pct(drift.unknownItemShare)], ['events by new users', pct(drift.newUserShare)],
          ['recent events compared', `${fmt(drift.recentEvents)} (window ${fmt(drift.window)}) vs ${fmt(drift.referenceEvents)} training events`],
        ], [1]),
        drift.types.length ? barChart([
          ...drift.types.map((t) => ({ label: t.type, bars: [{ name: 'training', value: t.reference }, { name: 'recent', value: t.recent }] })),
        ], { title: 'Event-type shares', yFormat: (v) => `${Math.round(v * 100)}%`, height: 220 }) : null)
    : null;
  return [h('h1', {}, 'Overview'), cards,
    h('div', { class: 'grid' }, card(null, rate), card(null, byType)),
    h('div', { class: 'grid' }, card('Engine', engine), card('Model versions', table(['version', 'created', 'NDCG@10', ''], modelRows, [2])), driftCard)];
}

async function browse(kind, query) {
  const after = query.get('after') || '';
  const q = query.get('q') || '';
  const input = h('input', { type: 'search', placeholder: `${kind === 'users' ? 'user' : 'item'} id`, value: q, id: 'search' });
  const go = () => { const v = input.value.trim(); if (v) location.hash = `#/${kind === 'users' ? 'user' : 'item'}/${enc(v)}`; };
  input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') go(); });
  const page = await get(`/v1/${kind}?limit=25${after ? `&after=${enc(after)}` : ''}`);
  const rows = kind === 'users'
    ? page.users.map((u) => [userLink(u.id), u.labels.map((l) => h('span', { class: 'pill' }, l)), Object.keys(u.features).join(', '), when(u.updatedAt)])
    : page.items.map((it) => [itemLink(it.id, it.id), it.title, it.categories.map((c) => h('span', { class: 'pill' }, c)),
        [it.hidden ? 'hidden' : '', it.outOfStock ? 'out of stock' : ''].filter(Boolean).join(', '), when(it.updatedAt)]);
  const headers = kind === 'users' ? ['id', 'labels', 'features', 'updated'] : ['id', 'title', 'categories', 'flags', 'updated'];
  const nav = h('div', { class: 'toolbar' },
    after ? h('a', { href: `#/${kind}` }, '« first page') : null,
    page.next ? h('a', { href: `#/${kind}?after=${enc(page.next)}`, id: 'next-page' }, 'next page »') : h('span', { class: 'muted' }, 'last page'));
  return [h('h1', {}, kind === 'users' ? 'Users' : 'Items'),
    h('div', { class: 'toolbar' }, input, h('button', { type: 'button', onclick: go }, 'Open')),
    card(null, table(headers, rows)), nav];
}

const ROUTES = [
  [/^\/?$/, () => overview(), 'overview'],
  [/^\/users$/, (m, q) => browse('users', q), 'users'],
  [/^\/items$/, (m, q) => browse('items', q), 'items'],
  [/^\/user\/(.+)$/, (m) => userPage(decodeURIComponent(m[1])), 'users'],
  [/^\/item\/(.+)$/, (m) => itemPage(decodeURIComponent(m[1])), 'items'],
  [/^\/models$/, () => modelsPage(render), 'models'],
  [/^\/experiments$/, () => experimentsPage(), 'experiments'],
];

let generation = 0;
export async function render() {
  captureKeyFromHash();
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  const query = new URLSearchParams(qs || '');
  const gen = ++generation;
  for (const [re, page, nav] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
    main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    try {
      const content = await page(m, query);
      if (gen === generation) main.replaceChildren(...[content].flat().filter(Boolean));
    } catch (e) {
      if (gen === generation) main.replaceChildren(errorBox(e));
    }
    refreshStatus();
    return;
  }
  main.replaceChildren(errorBox({ code: 'E_NOT_FOUND', message: `no page ${path}` }));
}

async function refreshStatus() {
  try {
    const r = await fetch('/ready');
    const s = await r.json();
    document.getElementById('status').textContent = s.ready ? `ready · ${s.modelName ?? ''} v${s.modelVersion ?? '–'}${s.training ? ' · training' : ''}` : 'not ready';
  } catch {
    document.getElementById('status').textContent = 'offline';
  }
}

document.getElementById('key-button').addEventListener('click', () => { askKey('read'); render(); });
window.addEventListener('hashchange', render);
render();

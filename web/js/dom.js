// Tiny DOM helpers (text is always set as text: no HTML injection from data).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...children);
}

export function table(headers, rows, numeric = []) {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : null }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { class: numeric.includes(i) ? 'num' : null }, c))))),
  );
}

export function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (typeof x !== 'number') return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

export function pct(x, digits = 1) {
  return x === null || x === undefined ? '–' : `${(100 * x).toFixed(digits)}%`;
}

export function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) : '–';
}

export function errorBox(e) {
  return h('div', { class: 'error' }, `${e.code || 'error'}: ${e.message}`);
}

export function itemLink(id, title) {
  return h('a', { href: `#/item/${encodeURIComponent(id)}`, class: 'item-link' }, title || id);
}

export function userLink(id) {
  return h('a', { href: `#/user/${encodeURIComponent(id)}`, class: 'user-link' }, id);
}

import type { SplitSpec } from '../data/split-types.js';
import type { EvaluationReport } from './protocol.js';

/** The report as JSON (NaN and infinities become null, as JSON has no such numbers). */
export function toJson(report: EvaluationReport): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

function splitText(s: SplitSpec): string {
  switch (s.kind) {
    case 'random':
      return `random ${pct(s.testFraction)} test`;
    case 'user-ratio':
      return `per-user ${pct(s.testFraction)} test${s.minTrain !== undefined ? ` (min ${s.minTrain} train)` : ''}`;
    case 'temporal':
      return `temporal, latest ${pct(s.testFraction)} test`;
    case 'user-temporal':
      return s.lastN !== undefined ? `per-user last ${s.lastN} test` : `per-user latest ${pct(s.testFraction ?? 0)} test`;
    case 'leave-one-out':
      return `leave-one-out (${s.pick})`;
    case 'kfold':
      return `${s.k}-fold`;
    case 'predefined':
      return `train ${s.train}, test ${s.test}`;
  }
}
function pct(f: number): string {
  return `${+(f * 100).toFixed(2)}%`;
}

/** The protocol in one or two lines. */
export function formatProtocol(report: EvaluationReport): string {
  const p = report.protocol;
  const size = [
    p.trainRows !== undefined ? `${p.trainRows} train` : '',
    p.testRows !== undefined ? `${p.testRows} test rows` : '',
    p.users !== undefined ? `${p.users} users` : '',
    p.items !== undefined ? `${p.items} items` : '',
  ].filter(Boolean);
  const rank =
    p.ranking.kind === 'full'
      ? `full ranking over ${p.candidates === 'train' ? 'train items' : 'all items'}`
      : `sampled ranking, ${p.ranking.negatives} ${p.ranking.sampler} negatives per test item`;
  const line1 = `data ${p.data || '(unnamed)'}${size.length ? ` (${size.join(', ')})` : ''}; split ${splitText(p.split)}${p.folds && p.folds > 1 && p.split.kind !== 'kfold' ? ` x ${p.folds} folds` : ''}; seed ${p.seed}`;
  const line2 =
    `${rank}, ${p.excludeSeen ? 'seen excluded' : 'seen kept'}; relevant: ${p.relevanceThreshold === null ? 'every test row' : `value >= ${p.relevanceThreshold}`}` +
    `${p.implicit ? '; trained as binary implicit' : ''}${p.groupBy ? `; groups by ${p.groupBy}` : ''}`;
  return `${line1}\n${line2}`;
}

function num(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(4);
}
function secs(v: number): string {
  return v < 10 ? v.toFixed(3) : v.toFixed(1);
}

/**
 * A terminal table: models as rows, metrics as columns ('mean ± std' when there are several folds),
 * then fit and predict seconds (mean per fold); the protocol is printed above it.
 */
export function formatTable(report: EvaluationReport): string {
  const folds = Math.max(1, ...report.results.map((r) => r.folds?.length ?? 1));
  const names: string[] = [];
  const add = (n: string): void => {
    if (!names.includes(n)) names.push(n);
  };
  for (const n of report.protocol.metrics) add(n);
  for (const r of report.results) for (const n of Object.keys(r.metrics)) add(n);
  const present = names.filter((n) => report.results.some((r) => r.metrics[n] !== undefined));
  const header = ['model', ...present, 'fit s', 'predict s'];
  const rows = report.results.map((r) => [
    r.label ?? r.model,
    ...present.map((n) => {
      const v = r.metrics[n];
      if (v === undefined) return '-';
      return folds > 1 && !Number.isNaN(v) ? `${num(v)} ± ${num(r.std[n] ?? 0)}` : num(v);
    }),
    secs(r.fitSeconds),
    secs(r.predictSeconds),
  ]);
  const width = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const fmt = (cells: string[]): string =>
    cells.map((s, c) => (c === 0 ? s.padEnd(width[c]) : s.padStart(width[c]))).join('  ').trimEnd();
  const lines = [formatProtocol(report), '', fmt(header), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
  return lines.join('\n');
}

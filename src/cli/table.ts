/** Renders rows as an aligned plain-text table (numbers right-aligned). */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const isNum = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.]+(e[-+]?\d+)?( ± [\d.]+)?$/.test(r[c] ?? '')));
  const line = (cells: string[]): string => cells.map((s, c) => (isNum[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return `${out.join('\n')}\n`;
}

/**
 * Line-per-user list formats (implicit, value 1 per pair, no time):
 * - 'user-lists' (Gowalla/LightGCN train.txt, S3Rec Beauty.txt): `user item item ...`, whitespace-separated.
 *   A line with only a user registers the user with no rows.
 * - 'citeulike' (CiteULike users.dat): line u (0-based user id u) is `n item_1 .. item_n`.
 * Rows keep the order of the items in the line (S3Rec lines are chronological).
 */
import { paramError } from '../../core/errors.js';
import { RowSink } from './accum.js';
import { rowError, RowError } from './columns.js';
import { Fields, IdCache, isBlank, splitWhitespace } from './fields.js';
import { readLineBatches, utf8Error } from './lines.js';
import type { ReaderInput, ReaderOutput } from './delimited.js';

export async function readLists(inp: ReaderInput, counted: boolean): Promise<ReaderOutput> {
  const { file, bad } = inp;
  const fmt = counted ? 'citeulike' : 'user-lists';
  if (inp.kind === 'explicit') throw paramError('kind', 'explicit', `'implicit' or 'auto' for the ${fmt} format (it has no ratings)`);
  const enc: BufferEncoding = inp.encoding;
  const users = new IdCache(inp.users, enc);
  const items = new IdCache(inp.items, enc);
  const sink = new RowSink(false);
  const f = new Fields();
  let rows = 0;
  for await (const b of readLineBatches(file, { encoding: inp.encoding, onProgress: inp.onProgress })) {
    const invalid = b.invalidUtf8 ? new Set(b.invalidUtf8) : null;
    const buf = b.buf;
    for (let k = 0; k < b.count; k++) {
      const line = b.firstLine + k;
      const s = b.starts[k];
      const e = b.ends[k];
      if (invalid?.has(k)) {
        bad.add('encoding', utf8Error(file, line));
        continue;
      }
      if (isBlank(buf, s, e)) continue;
      splitWhitespace(buf, s, e, f);
      try {
        if (counted) {
          const n = Number(f.text(0, 'latin1'));
          if (!Number.isInteger(n) || n < 0) throw rowError('number', file, line, `count ${JSON.stringify(f.text(0, enc))} is not a whole number`, 'n item_1 .. item_n (n = the number of items)');
          if (f.n - 1 !== n) throw rowError('count', file, line, `${f.n - 1} items`, `${n} items (the count at the start of the line)`);
          const u = users.getText(String(line - 1));
          for (let j = 1; j < f.n; j++) sink.push(u, items.get(buf, f.fs[j], f.fe[j]), 1, 0);
          rows += n;
        } else {
          const u = users.get(buf, f.fs[0], f.fe[0]);
          for (let j = 1; j < f.n; j++) sink.push(u, items.get(buf, f.fs[j], f.fe[j]), 1, 0);
          rows += f.n - 1;
        }
      } catch (err) {
        if (err instanceof RowError) bad.add(err.kind, err.error);
        else throw err;
      }
    }
  }
  return { cols: sink.columns(), explicit: false, rows };
}

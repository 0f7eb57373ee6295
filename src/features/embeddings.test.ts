import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdMap } from '../core/idmap.js';
import { denseBlock, encodeTexts, loadEmbeddings, loadLocalEncoder, parseEmbeddings } from './embeddings.js';
import { buildFeatureMatrix } from './matrix.js';

const ids = new IdMap(['a', 'b', 'c']);

test('embeddings: CSV with header, TSV, JSONL and word2vec text, aligned with missing counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aff-emb-'));
  try {
    const files: Record<string, string> = {
      'e.csv': 'id,x,y\na,1,2\nc,3,4\nzz,5,6\n',
      'e.tsv': 'a\t1\t2\nc\t3\t4\nzz\t5\t6\n',
      'e.jsonl': '{"id":"a","vector":[1,2]}\n{"id":"c","vector":[3,4]}\n{"id":"zz","vector":[5,6]}\n',
      'e.txt': '3 2\na 1 2\nc 3 4\nzz 5 6\n',
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      const e = loadEmbeddings(join(dir, name), ids);
      assert.equal(e.dim, 2, name);
      assert.deepEqual(Array.from(e.vectors), [1, 2, 0, 0, 3, 4], name);
      assert.equal(e.missing, 1, name);
      assert.equal(e.unused, 1, name);
    }
    const m = buildFeatureMatrix(null, ids, { dense: [denseBlock('emb', loadEmbeddings(join(dir, 'e.csv'), ids))], normalize: 'none' });
    assert.deepEqual(m.names, ['emb:0', 'emb:1']);
    assert.deepEqual(Array.from(m.csr.indptr), [0, 2, 2, 4]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('embeddings: errors name file:line', () => {
  assert.throws(() => parseEmbeddings('a 1 2\nb 1 2 3\n', 'v.txt'), /v\.txt:2: dimension mismatch: 3 values; expected 2/);
  assert.throws(() => parseEmbeddings('a,1,2\nb,1,x\n', 'v.csv'), /v\.csv:2: value 2 \("x"\) is not a number/);
  assert.throws(() => parseEmbeddings('{"id":"a","vector":[1]}\n{"id":"b"}\n', 'v.jsonl'), /v\.jsonl:2: missing "id" or "vector"/);
  assert.throws(() => parseEmbeddings('a 1\na 2\n', 'v.txt'), /v\.txt:2: duplicate id/);
  assert.throws(() => loadEmbeddings('/nonexistent/v.txt', ids), (e: Error & { code?: string }) => e.code === 'E_IO');
});

test('local sentence encoder: E_UNSUPPORTED with what to install when no model is there; encodeTexts batches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aff-enc-'));
  try {
    await assert.rejects(loadLocalEncoder(dir), (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' && /model\.onnx/.test(e.message) && /tokenizer\.json/.test(e.message));
    writeFileSync(join(dir, 'model.onnx'), 'x');
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    await assert.rejects(loadLocalEncoder(dir), (e: Error & { code?: string }) => e.code === 'E_UNSUPPORTED' && /onnxruntime-node/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // a toy encoder: [length, number of spaces]
  const enc = { dim: 2, encode: async (t: string[]) => Float32Array.from(t.flatMap((s) => [s.length, s.split(' ').length - 1])) };
  assert.deepEqual(Array.from(await encodeTexts(enc, ['ab', '', 'a b c'], 2)), [2, 0, 0, 0, 5, 2]);
});

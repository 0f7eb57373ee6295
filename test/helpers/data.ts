import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Path of a shared dataset file for integration tests. AFFINITY_DATA names the datasets folder
 * (`.ci/run` sets it to ../shared/data). When it is set and the file is missing, this throws, so the
 * test fails; when it is not set (a user's machine), it returns null and the test should skip:
 *
 *   const p = sharedData('ml-100k/u.data');
 *   test('...', { skip: p ? false : SKIP_NO_DATA }, async () => { ... p! ... });
 */
export function sharedData(rel: string): string | null {
  const root = process.env.AFFINITY_DATA;
  if (!root) return null;
  const p = resolve(join(root, rel));
  if (!existsSync(p)) throw new Error(`AFFINITY_DATA=${root} is set but ${rel} is missing there (${p})`);
  return p;
}

export const SKIP_NO_DATA = 'AFFINITY_DATA is not set: shared datasets unavailable (set it to ../shared/data to run)';

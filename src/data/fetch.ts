import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { AffinityError, paramError, parseError } from '../core/errors.js';
import { extractZipEntry, readZipEntries } from './zip.js';

/**
 * Public datasets: download (GroupLens MovieLens zips), unzip, verify, cache; or use a local folder
 * registered by the user. Cache: $AFFINITY_HOME/datasets/<name> (AFFINITY_HOME defaults to
 * ~/.cache/affinity); registered folders: $AFFINITY_HOME/sources.json.
 */
export interface DatasetInfo {
  name: string;
  title: string;
  url: string;
  /** Folder inside the archive that holds the files. */
  archiveRoot: string;
  /** The files a complete copy must have, with their SHA-256 (null: no checksum recorded). */
  files: Readonly<Record<string, string | null>>;
  licence: string;
}

/**
 * Checksums are of the files inside the archives (the zips' own checksums could not be known
 * offline); they were taken from the verified copies described in shared/data/README.md. Only the data
 * files are checked, not READMEs or scripts.
 *
 * ml-1m is NOT checksum-verified: its files are not in shared/data and no verified copy was at hand,
 * so no SHA-256 is recorded (null) and a download or a hand-placed copy is only checked for the
 * presence of its files. This is reported, not skipped silently: `DatasetStatus.verification`,
 * `affinity data fetch --list` (column "verified") and `affinity data fetch ml-1m` all say so.
 */
export const DATASETS: readonly DatasetInfo[] = [
  {
    name: 'ml-100k',
    title: 'MovieLens 100K (943 users, 1,682 movies, 100,000 ratings 1..5)',
    url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
    archiveRoot: 'ml-100k/',
    licence: 'GroupLens research licence: non-commercial research use, no redistribution',
    files: {
      'u.data': '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490',
      'u.item': '553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701',
      'u.user': 'f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c',
      'u.genre': '9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb',
      'u.occupation': 'cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d',
      'u.info': '5b0a40b2e47a729ee6203063f6dcf8790c2e63f5a18663e6ee318a72c5f3c27b',
      'u1.base': 'ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a',
      'u1.test': '18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950',
      'u2.base': '6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e',
      'u2.test': '4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3',
      'u3.base': 'afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d',
      'u3.test': '0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d',
      'u4.base': '219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca',
      'u4.test': '7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9',
      'u5.base': 'a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485',
      'u5.test': '351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634',
      'ua.base': '67b5bcdb380c29f85d56a012ecd88612ae020f30a6730d117a334ee8203b91f2',
      'ua.test': 'd0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42',
      'ub.base': '237254d253b6ad7de84f919d041055428646254f34ed8f562703c899430cd881',
      'ub.test': 'd54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da',
    },
  },
  {
    name: 'ml-1m',
    title: 'MovieLens 1M (6,040 users, 3,706 movies, 1,000,209 ratings 1..5)',
    url: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip',
    archiveRoot: 'ml-1m/',
    licence: 'GroupLens research licence: non-commercial research use, no redistribution',
    // No checksums (see above): files are checked for presence only; listed as "not checksum-verified".
    files: { 'ratings.dat': null, 'movies.dat': null, 'users.dat': null },
  },
  {
    name: 'ml-latest-small',
    title: 'MovieLens latest-small, Sep 2018 (610 users, 9,742 movies, 100,836 ratings 0.5..5)',
    url: 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip',
    archiveRoot: 'ml-latest-small/',
    licence: 'GroupLens research licence: research use; redistribution allowed under the same licence',
    files: {
      'ratings.csv': 'aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646',
      'movies.csv': '5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07',
      'tags.csv': '92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d',
      'links.csv': '97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31',
    },
  },
];

/** A fetch function (the global fetch, or one injected by tests). */
export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface FetchOptions {
  /** Defaults to $AFFINITY_HOME, else ~/.cache/affinity. */
  home?: string;
  fetch?: FetchLike;
  /** Called as bytes arrive; total is null when the server does not say. */
  onProgress?: (bytes: number, total: number | null) => void;
  signal?: AbortSignal;
  /** Download again even when a verified copy is cached. */
  force?: boolean;
}

export interface DatasetStatus {
  name: string;
  title: string;
  url: string | null;
  files: string[];
  checksums: 'sha256' | 'none';
  /** How a copy is verified, in words: 'sha256' or 'not checksum-verified (...)'. */
  verification: string;
  licence: string;
  /** 'local' (registered folder), 'cached' (downloaded and verified), or 'remote' (not yet downloaded). */
  status: 'local' | 'cached' | 'remote';
  path: string | null;
}

export function affinityHome(): string {
  const h = process.env.AFFINITY_HOME;
  return h && h.length > 0 ? resolve(h) : join(homedir(), '.cache', 'affinity');
}

export function datasetInfo(name: string): DatasetInfo | undefined {
  return DATASETS.find((d) => d.name === name);
}

/** Note for datasets without recorded checksums (ml-1m). */
export const NOT_CHECKSUM_VERIFIED = 'not checksum-verified (no SHA-256 recorded; files checked for presence only)';

/** 'sha256' when every data file of the dataset has a recorded SHA-256, else NOT_CHECKSUM_VERIFIED. */
export function verificationOf(info: DatasetInfo): string {
  const sums = Object.values(info.files);
  if (sums.every((x) => x !== null)) return 'sha256';
  if (sums.some((x) => x !== null)) return `partly checksum-verified (${Object.entries(info.files).filter(([, x]) => x === null).map(([f]) => f).join(', ')} have no SHA-256)`;
  return NOT_CHECKSUM_VERIFIED;
}

/** Where a dataset's files are cached. */
export function datasetCacheDir(name: string, home = affinityHome()): string {
  return join(home, 'datasets', name);
}

function sourcesPath(home: string): string {
  return join(home, 'sources.json');
}

/** Registered local folders by dataset name. */
export function localSources(home = affinityHome()): Record<string, string> {
  const p = sourcesPath(home);
  if (!existsSync(p)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw parseError(p, 1, `invalid JSON (${(e as Error).message})`, '{"version": 1, "local": {"<name>": "<folder>"}}');
  }
  const local = (parsed as { local?: unknown } | null)?.local;
  if (typeof local !== 'object' || local === null || Array.isArray(local)) {
    throw parseError(p, 1, 'no "local" object', '{"version": 1, "local": {"<name>": "<folder>"}}');
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(local)) if (typeof val === 'string') out[k] = val;
  return out;
}

function writeSources(home: string, local: Record<string, string>): void {
  const p = sourcesPath(home);
  mkdirSync(home, { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, local }, null, 2) + '\n');
  renameSync(tmp, p);
}

/**
 * Registers a local folder as the source of dataset `name` (persisted in sources.json). For a known
 * dataset the folder must hold its main data file. Returns the absolute folder.
 */
export function registerLocalDir(name: string, dir: string, opts: { home?: string } = {}): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw paramError('name', name, 'a dataset name of letters, digits, ".", "_" or "-"');
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new AffinityError('E_IO', `${abs}: no such folder (to register as ${name})`);
  const info = datasetInfo(name);
  if (info) {
    const main = Object.keys(info.files)[0];
    if (!existsSync(join(abs, main))) throw paramError('dir', abs, `a folder holding ${name}'s ${main}`);
  }
  const home = opts.home ?? affinityHome();
  const local = localSources(home);
  local[name] = abs;
  writeSources(home, local);
  return abs;
}

/** Removes a registration; returns whether there was one. */
export function unregisterLocalDir(name: string, opts: { home?: string } = {}): boolean {
  const home = opts.home ?? affinityHome();
  const local = localSources(home);
  if (!(name in local)) return false;
  delete local[name];
  writeSources(home, local);
  return true;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Checks that `dir` holds the dataset's files with their recorded checksums (E_IO / E_CHECKSUM). */
export function verifyDatasetDir(info: DatasetInfo, dir: string): void {
  for (const [f, sum] of Object.entries(info.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new AffinityError('E_IO', `${p}: missing (${info.name} needs ${Object.keys(info.files).join(', ')})`, { file: p });
    if (sum === null) continue;
    const got = sha256File(p);
    if (got !== sum) {
      throw new AffinityError('E_CHECKSUM', `${p}: SHA-256 ${got} does not match the expected ${sum} for ${info.name}/${f}`, { file: p });
    }
  }
}

function isCached(info: DatasetInfo, dir: string): boolean {
  if (!Object.keys(info.files).every((f) => existsSync(join(dir, f)))) return false;
  if (existsSync(join(dir, '.complete'))) return true;
  // files put there by hand: verify once, then mark
  verifyDatasetDir(info, dir);
  writeFileSync(join(dir, '.complete'), JSON.stringify({ source: 'by hand', verifiedAt: new Date().toISOString() }) + '\n');
  return true;
}

function requireKnown(name: string): DatasetInfo {
  const info = datasetInfo(name);
  if (!info) {
    throw paramError('dataset', name, `one of ${DATASETS.map((d) => d.name).join(', ')}, or a name registered with registerLocalDir (affinity data register <name> <folder>)`);
  }
  return info;
}

function offlineError(info: DatasetInfo, cacheDir: string, cause: string): AffinityError {
  const zip = join(dirname(cacheDir), `${info.name}.zip`);
  return new AffinityError(
    'E_OFFLINE',
    `cannot download ${info.name} from ${info.url}: no network (${cause}). ` +
      `To use it without a network, download ${info.url} elsewhere and either put the zip at ${zip}, ` +
      `or put its files (${Object.keys(info.files).join(', ')}) into ${cacheDir}, ` +
      `or register a folder that holds them: affinity data register ${info.name} <folder> (registerLocalDir).`,
  );
}

async function download(info: DatasetInfo, cacheDir: string, opts: FetchOptions): Promise<Uint8Array> {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  let res: Response;
  try {
    res = await doFetch(info.url, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw new AffinityError('E_ABORTED', `download of ${info.name} cancelled`);
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const cause = err.cause?.code ?? err.cause?.message ?? err.message;
    throw offlineError(info, cacheDir, cause);
  }
  if (!res.ok || !res.body) throw new AffinityError('E_IO', `${info.url}: HTTP ${res.status} ${res.statusText}`.trim());
  const len = Number(res.headers.get('content-length'));
  const total = Number.isFinite(len) && len > 0 ? len : null;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  opts.onProgress?.(0, total);
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (opts.signal?.aborted) throw new AffinityError('E_ABORTED', `download of ${info.name} cancelled`);
      chunks.push(value);
      bytes += value.byteLength;
      opts.onProgress?.(bytes, total);
    }
  } catch (e) {
    if (e instanceof AffinityError) throw e;
    if (opts.signal?.aborted) throw new AffinityError('E_ABORTED', `download of ${info.name} cancelled`);
    throw offlineError(info, cacheDir, `connection lost after ${bytes} bytes: ${(e as Error).message}`);
  }
  if (total !== null && bytes !== total) throw new AffinityError('E_IO', `${info.url}: got ${bytes} of ${total} bytes`);
  return Buffer.concat(chunks);
}

/** Unpacks the archive's files under info.archiveRoot into `dir` (flattened by that root). */
function unpack(info: DatasetInfo, zip: Uint8Array, zipName: string, dir: string): void {
  for (const e of readZipEntries(zip, zipName)) {
    if (e.isDirectory || !e.name.startsWith(info.archiveRoot)) continue;
    const rel = e.name.slice(info.archiveRoot.length);
    const out = normalize(join(dir, rel));
    if (rel === '' || !out.startsWith(dir + sep)) throw new AffinityError('E_FORMAT', `${zipName}: entry ${e.name} points outside the dataset folder`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, extractZipEntry(zip, e, zipName));
  }
}

/**
 * Downloads (or takes $AFFINITY_HOME/datasets/<name>.zip when present), unpacks and verifies a known
 * dataset into its cache folder; returns the folder. A verified cached copy is reused unless `force`.
 */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<string> {
  const info = requireKnown(name);
  const home = opts.home ?? affinityHome();
  const dir = datasetCacheDir(name, home);
  if (!opts.force && isCached(info, dir)) return dir;
  const localZip = join(dirname(dir), `${name}.zip`);
  const fromDisk = existsSync(localZip);
  const zip = fromDisk ? readFileSync(localZip) : await download(info, dir, opts);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    unpack(info, zip, fromDisk ? localZip : info.url, tmp);
    verifyDatasetDir(info, tmp);
    writeFileSync(join(tmp, '.complete'), JSON.stringify({ source: fromDisk ? localZip : info.url, fetchedAt: new Date().toISOString() }) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/**
 * The folder of a dataset: a registered local folder, else the verified cache, else a fresh download.
 * Names that are not in the catalogue work only when registered.
 */
export async function resolveDataset(name: string, opts: FetchOptions = {}): Promise<string> {
  const home = opts.home ?? affinityHome();
  const local = localSources(home)[name];
  if (local !== undefined) {
    if (!existsSync(local)) throw new AffinityError('E_IO', `${local}: registered folder of ${name} no longer exists (register it again, or unregister it)`);
    return local;
  }
  return fetchDataset(name, { ...opts, home });
}

/** The catalogue and every registered name, with where each one is available (for `affinity data fetch --list`). */
export function listDatasets(opts: { home?: string } = {}): DatasetStatus[] {
  const home = opts.home ?? affinityHome();
  const local = localSources(home);
  const out: DatasetStatus[] = DATASETS.map((d) => {
    const dir = datasetCacheDir(d.name, home);
    const cached = existsSync(join(dir, '.complete')) && Object.keys(d.files).every((f) => existsSync(join(dir, f)));
    const l = local[d.name];
    return {
      name: d.name,
      title: d.title,
      url: d.url,
      files: Object.keys(d.files),
      checksums: Object.values(d.files).some((s) => s !== null) ? 'sha256' : 'none',
      verification: verificationOf(d),
      licence: d.licence,
      status: l !== undefined ? 'local' : cached ? 'cached' : 'remote',
      path: l ?? (cached ? dir : null),
    };
  });
  for (const [name, path] of Object.entries(local)) {
    if (datasetInfo(name)) continue;
    out.push({ name, title: `local folder ${path}`, url: null, files: [], checksums: 'none', verification: 'local folder (not verified)', licence: 'see the folder', status: 'local', path });
  }
  return out;
}

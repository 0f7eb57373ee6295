/**
 * Pipeline configuration: a JSON file, validated against a TypeBox schema. Every error names the
 * file, the JSON path and what was expected, e.g.
 *   `pipeline.json: /candidates/1/quota: expected a positive integer`.
 *
 * Shape (see default-pipeline.json, the documented default):
 *   n             list length (default 10)
 *   seed          seed of the holdout, the ranker and the stochastic re-rankers
 *   models        [{ name, model, params }]: registry models to train (name = how the rest refers to it)
 *   candidates    [{ type, quota, model?, fallback?, ... }]: named sources; `fallback` orders the sources
 *                 (lower first) for de-duplication and for filling what a short source left unfilled
 *   ranking       { type: 'none' } | { type: 'model', model } | { type: 'gbdt-lambdamart', ... }
 *                 | { type: 'coarse-fine', keep, coarse, ... }
 *   rerank        ordered steps, the plain-data specs of src/pipeline/rerank/spec.ts: mmr, cap,
 *                 no-adjacent, freshness, novelty, filter, boost, pin, availability, fatigue, explore
 *   explanations  true | false
 */
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AffinityError } from '../core/errors.js';

const PosInt = (o: object = {}) => Type.Integer({ minimum: 1, expected: 'a positive integer', ...o });
const NonNegInt = () => Type.Integer({ minimum: 0, expected: 'a non-negative integer' });
const Unit = () => Type.Number({ minimum: 0, maximum: 1, expected: 'a number in [0, 1]' });
const Name = () => Type.String({ minLength: 1, expected: 'a non-empty string' });
const Params = () =>
  Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]), { expected: 'an object of parameter values (numbers, strings or booleans)' });
const strict = { additionalProperties: false };

const ModelDecl = Type.Object({ name: Name(), model: Name(), params: Type.Optional(Params()) }, { ...strict, expected: 'an object { name, model, params? }' });

const AnnOpts = Type.Object(
  {
    backend: Type.Optional(Type.Union([Type.Literal('exact'), Type.Literal('hnsw'), Type.Literal('usearch')], { expected: "'exact', 'hnsw' or 'usearch'" })),
    m: Type.Optional(PosInt()),
    efConstruction: Type.Optional(PosInt()),
    efSearch: Type.Optional(PosInt()),
    threads: Type.Optional(NonNegInt()),
  },
  { ...strict, expected: 'an object of ANN options { backend, m, efConstruction, efSearch, threads }' },
);
const common = { quota: PosInt(), fallback: Type.Optional(NonNegInt()), name: Type.Optional(Name()) };
/** Candidate source schemas by type. */
const SOURCE_SCHEMAS = {
  ann: Type.Object({ type: Type.Literal('ann'), model: Name(), ann: Type.Optional(AnnOpts), ...common }, strict),
  item2item: Type.Object(
    { type: Type.Literal('item2item'), model: Name(), recent: Type.Optional(PosInt()), decay: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, expected: 'a number in (0, 1]' })), ...common },
    strict,
  ),
  model: Type.Object({ type: Type.Literal('model'), model: Name(), ...common }, strict),
  popular: Type.Object({ type: Type.Literal('popular'), ...common }, strict),
  trending: Type.Object({ type: Type.Literal('trending'), halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, expected: 'a positive number of days' })), ...common }, strict),
  new: Type.Object({ type: Type.Literal('new'), maxAgeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, expected: 'a positive number of days' })), ...common }, strict),
} as const;

const GbdtOpts = Type.Object(
  {
    nTrees: Type.Optional(PosInt()),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, expected: 'a positive number' })),
    maxLeaves: Type.Optional(Type.Integer({ minimum: 2, expected: 'an integer >= 2' })),
    maxDepth: Type.Optional(PosInt()),
    minSamplesLeaf: Type.Optional(PosInt()),
    lambda: Type.Optional(Type.Number({ minimum: 0, expected: 'a number >= 0' })),
    subsample: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, expected: 'a number in (0, 1]' })),
    featureFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, expected: 'a number in (0, 1]' })),
    truncation: Type.Optional(PosInt()),
  },
  { ...strict, expected: 'an object of GBDT options { nTrees, learningRate, maxLeaves, maxDepth, minSamplesLeaf, lambda, subsample, featureFraction, truncation }' },
);
const CoarseOpts = Type.Object(
  {
    factors: Type.Optional(NonNegInt()),
    epochs: Type.Optional(PosInt()),
    learningRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, expected: 'a positive number' })),
    negPerPos: Type.Optional(NonNegInt()),
  },
  { ...strict, expected: 'an object of coarse-ranker options { factors, epochs, learningRate, negPerPos }' },
);
const Training = {
  /** Share of each user's training interactions held out to train the ranker. */
  holdoutFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, expected: 'a number in (0, 1)' })),
  holdoutMode: Type.Optional(Type.Union([Type.Literal('random'), Type.Literal('last')], { expected: "'random' or 'last'" })),
  /** Candidates per training query (default: the pipeline's candidate total). */
  trainCandidates: Type.Optional(PosInt()),
  /** Users sampled for the ranker's training set (default: all). */
  maxQueries: Type.Optional(PosInt()),
  /** CF models whose scores are ranking features (default: every declared model). */
  features: Type.Optional(Type.Array(Name(), { expected: 'an array of model names' })),
};
const RANKING_SCHEMAS = {
  none: Type.Object({ type: Type.Literal('none') }, strict),
  model: Type.Object({ type: Type.Literal('model'), model: Name() }, strict),
  'gbdt-lambdamart': Type.Object({ type: Type.Literal('gbdt-lambdamart'), gbdt: Type.Optional(GbdtOpts), ...Training }, strict),
  'coarse-fine': Type.Object({ type: Type.Literal('coarse-fine'), keep: PosInt(), coarse: Type.Optional(CoarseOpts), gbdt: Type.Optional(GbdtOpts), ...Training }, strict),
} as const;

const Weight = () => Type.Number({ minimum: 0, expected: 'a number >= 0' });
const CapKey = () => Type.Union([Type.Literal('category'), Type.Literal('group')], { expected: "'category' or 'group'" });
/** Re-ranking steps (src/pipeline/rerank/), applied in the listed order. */
const RERANK_SCHEMAS = {
  mmr: Type.Object(
    { type: Type.Literal('mmr'), lambda: Unit(), depth: Type.Optional(PosInt()), similarity: Type.Optional(Type.Union([Type.Literal('categories'), Type.Literal('vectors')], { expected: "'categories' or 'vectors'" })) },
    strict,
  ),
  cap: Type.Object({ type: Type.Literal('cap'), max: PosInt(), by: CapKey(), mode: Type.Optional(Type.Union([Type.Literal('demote'), Type.Literal('drop')], { expected: "'demote' or 'drop'" })) }, strict),
  'no-adjacent': Type.Object({ type: Type.Literal('no-adjacent'), by: Type.Optional(CapKey()), window: Type.Optional(PosInt()) }, strict),
  freshness: Type.Object(
    {
      type: Type.Literal('freshness'),
      weight: Type.Optional(Weight()),
      halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, expected: 'a positive number of days' })),
      from: Type.Optional(Type.Union([Type.Literal('firstSeen'), Type.Literal('release')], { expected: "'firstSeen' or 'release'" })),
    },
    strict,
  ),
  novelty: Type.Object({ type: Type.Literal('novelty'), weight: Type.Optional(Weight()) }, strict),
  fatigue: Type.Object(
    { type: Type.Literal('fatigue'), maxShown: PosInt(), penalty: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 1 }), Type.Literal('last'), Type.Literal('drop')], { expected: "a number > 1, 'last' or 'drop'" })) },
    strict,
  ),
  explore: Type.Object(
    {
      type: Type.Literal('explore'),
      slots: NonNegInt(),
      strategy: Type.Union([Type.Literal('epsilon'), Type.Literal('ucb'), Type.Literal('thompson')], { expected: "'epsilon', 'ucb' or 'thompson'" }),
      epsilon: Type.Optional(Unit()),
      c: Type.Optional(Weight()),
      positions: Type.Optional(Type.Array(NonNegInt(), { expected: 'an array of positions (integers >= 0)' })),
      seed: Type.Optional(Type.Integer({ expected: 'an integer' })),
    },
    strict,
  ),
  filter: Type.Object({ type: Type.Literal('filter'), expr: Name() }, strict),
  boost: Type.Object({ type: Type.Literal('boost'), when: Name(), factor: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ minLength: 1 })], { expected: 'a positive number or an expression' }) }, strict),
  pin: Type.Object(
    {
      type: Type.Literal('pin'),
      pins: Type.Array(
        Type.Object({ item: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1 })], { expected: 'an item index or an external item id' }), position: NonNegInt(), sponsored: Type.Optional(Type.Boolean()) }, { ...strict, expected: 'a pin { item, position, sponsored? }' }),
        { expected: 'an array of pins { item, position, sponsored? }' },
      ),
      keepUnavailable: Type.Optional(Type.Boolean()),
    },
    strict,
  ),
  availability: Type.Object(
    { type: Type.Literal('availability'), outOfStock: Type.Optional(Type.Boolean()), hidden: Type.Optional(Type.Boolean()), unknownAge: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')], { expected: "'allow' or 'deny'" })) },
    strict,
  ),
} as const;

export type ModelDeclConfig = Static<typeof ModelDecl>;
export type SourceConfig = { [K in keyof typeof SOURCE_SCHEMAS]: Static<(typeof SOURCE_SCHEMAS)[K]> }[keyof typeof SOURCE_SCHEMAS];
export type RankingConfig = { [K in keyof typeof RANKING_SCHEMAS]: Static<(typeof RANKING_SCHEMAS)[K]> }[keyof typeof RANKING_SCHEMAS];
export type RerankConfig = { [K in keyof typeof RERANK_SCHEMAS]: Static<(typeof RERANK_SCHEMAS)[K]> }[keyof typeof RERANK_SCHEMAS];
export type GbdtConfig = Static<typeof GbdtOpts>;

export interface PipelineConfig {
  n: number;
  seed: number;
  models: ModelDeclConfig[];
  candidates: SourceConfig[];
  ranking: RankingConfig;
  rerank: RerankConfig[];
  explanations: boolean;
}

const Top = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    n: Type.Optional(PosInt()),
    seed: Type.Optional(Type.Integer({ expected: 'an integer' })),
    models: Type.Array(Type.Unknown(), { expected: 'an array of models { name, model, params? }' }),
    candidates: Type.Array(Type.Unknown(), { minItems: 1, expected: 'a non-empty array of candidate sources' }),
    ranking: Type.Optional(Type.Unknown()),
    rerank: Type.Optional(Type.Array(Type.Unknown(), { expected: 'an array of re-ranking steps' })),
    explanations: Type.Optional(Type.Boolean({ expected: 'true or false' })),
  },
  { ...strict, expected: 'a pipeline object { n, seed, models, candidates, ranking, rerank, explanations }' },
);

/** One line per problem: `file: /json/path: expected ...`. */
function errorsOf(schema: TSchema, value: unknown, base: string, file: string, out: string[]): void {
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = base + e.path;
    if (seen.has(path)) continue; // the first (most specific) error of each path
    seen.add(path);
    const s = e.schema as TSchema & { expected?: string };
    let expected = s.expected ?? e.message.replace(/^Expected /i, '');
    if (e.message.startsWith('Unexpected property')) expected = `no property ${JSON.stringify(path.split('/').pop())} (${(schemaAt(schema, e.path) as { expected?: string } | null)?.expected ?? 'unknown property'})`;
    if (e.message.startsWith('Expected required property')) expected = `a required property ${JSON.stringify(path.split('/').pop())}`;
    out.push(`${file}: ${path || '/'}: expected ${expected}`);
  }
}

/** The object schema that holds the property at `path` (for messages about unknown properties). */
function schemaAt(schema: TSchema, path: string): TSchema | null {
  const parts = path.split('/').filter(Boolean);
  let s: TSchema | undefined = schema;
  for (const p of parts.slice(0, -1)) {
    const props: Record<string, TSchema> | undefined = (s as { properties?: Record<string, TSchema> }).properties;
    s = props?.[p];
    if (!s) return null;
  }
  return s ?? null;
}

/** Validates one element of a tagged list (`type` picks the schema). */
function checkTagged(schemas: Record<string, TSchema>, value: unknown, path: string, file: string, what: string, out: string[]): void {
  const t = (value as { type?: unknown } | null)?.type;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${file}: ${path}: expected ${what} object with a "type"`);
    return;
  }
  if (typeof t !== 'string' || !(t in schemas)) {
    out.push(`${file}: ${path}/type: expected one of ${Object.keys(schemas).map((k) => `'${k}'`).join(', ')}`);
    return;
  }
  errorsOf(schemas[t], value, path, file, out);
}

/**
 * Validates a parsed configuration and fills defaults. Throws one E_PARAM error listing every
 * problem (one per line), each as `file: /path: expected ...`.
 */
export function validatePipelineConfig(json: unknown, file = 'pipeline.json'): PipelineConfig {
  const errs: string[] = [];
  errorsOf(Top, json, '', file, errs);
  const o = (typeof json === 'object' && json !== null ? json : {}) as { models?: unknown; candidates?: unknown; ranking?: unknown; rerank?: unknown };
  if (Array.isArray(o.models)) o.models.forEach((m, k) => errorsOf(ModelDecl, m, `/models/${k}`, file, errs));
  if (Array.isArray(o.candidates)) o.candidates.forEach((c, k) => checkTagged(SOURCE_SCHEMAS, c, `/candidates/${k}`, file, 'a candidate source', errs));
  if (o.ranking !== undefined) checkTagged(RANKING_SCHEMAS, o.ranking, '/ranking', file, 'a ranking', errs);
  if (Array.isArray(o.rerank)) o.rerank.forEach((r, k) => checkTagged(RERANK_SCHEMAS, r, `/rerank/${k}`, file, 'a re-ranking step', errs));
  if (errs.length === 0) crossCheck(json as PipelineConfig, file, errs);
  if (errs.length) throw new AffinityError('E_PARAM', errs.join('\n'), { file, field: errs[0].split(': ')[1] });
  const c = json as Partial<PipelineConfig>;
  return {
    n: c.n ?? 10,
    seed: c.seed ?? 42,
    models: c.models ?? [],
    candidates: c.candidates ?? [],
    ranking: c.ranking ?? { type: 'none' },
    rerank: c.rerank ?? [],
    explanations: c.explanations ?? true,
  };
}

/** References between parts: model names exist and are unique, source names unique, at most 32 sources. */
function crossCheck(c: PipelineConfig, file: string, errs: string[]): void {
  const names = new Map<string, number>();
  c.models.forEach((m, k) => {
    if (names.has(m.name)) errs.push(`${file}: /models/${k}/name: expected a name not used before (${JSON.stringify(m.name)} is /models/${names.get(m.name)})`);
    names.set(m.name, k);
  });
  const known = `one of the declared models (${[...names.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none declared'})`;
  const ref = (name: string, path: string): void => {
    if (!names.has(name)) errs.push(`${file}: ${path}: expected ${known}`);
  };
  if (c.candidates.length > 32) errs.push(`${file}: /candidates: expected at most 32 candidate sources`);
  const srcNames = new Set<string>();
  c.candidates.forEach((s, k) => {
    if ('model' in s) ref(s.model, `/candidates/${k}/model`);
    const n = sourceName(s);
    if (srcNames.has(n)) errs.push(`${file}: /candidates/${k}/name: expected a source name not used before (${JSON.stringify(n)}); give the source a "name"`);
    srcNames.add(n);
  });
  const r = c.ranking;
  if (r?.type === 'model') ref(r.model, '/ranking/model');
  if (r && (r.type === 'gbdt-lambdamart' || r.type === 'coarse-fine')) (r.features ?? []).forEach((m, k) => ref(m, `/ranking/features/${k}`));
}

/** The name a source is known by (tags, features, explanations): its `name`, else type and model. */
export function sourceName(s: SourceConfig): string {
  if (s.name) return s.name;
  if (s.type === 'ann') return `${s.model}-ann`;
  if (s.type === 'item2item') return 'item2item';
  if (s.type === 'model') return s.model;
  return s.type;
}

/** Reads and validates a configuration file. */
export function loadPipelineConfig(path: string): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AffinityError('E_IO', `${path}: could not read the pipeline configuration (${(e as Error).message})`, { file: path });
  }
  return parsePipelineConfig(text, path);
}

/** Parses JSON text and validates it; a JSON syntax error names the line. */
export function parsePipelineConfig(text: string, file = 'pipeline.json'): PipelineConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const line = text.slice(0, jsonErrorOffset(text, msg)).split('\n').length;
    throw new AffinityError('E_PARSE', `${file}:${line}: invalid JSON (${msg}); expected a JSON pipeline configuration`, { file, line });
  }
  return validatePipelineConfig(json, file);
}

/** Where a JSON.parse error happened: "position N" when the message has it, else its quoted context. */
function jsonErrorOffset(text: string, msg: string): number {
  const p = /position (\d+)/.exec(msg);
  if (p) return Number(p[1]);
  if (/end of JSON input/.test(msg)) return text.length;
  const ctx = /"(?:\.\.\.)?(.*?)(?:\.\.\.)?" is not valid JSON/.exec(msg.replace(/^.*?, (?:\.\.\.)?"/, '"'));
  const tok = /Unexpected token '(.)'/.exec(msg);
  if (ctx && ctx[1]) {
    const at = text.indexOf(ctx[1]);
    if (at >= 0) return at + Math.max(0, tok ? ctx[1].indexOf(tok[1]) : 0);
  }
  return 0;
}

/** The documented default pipeline (src/pipeline/default-pipeline.json). */
export function defaultPipelineConfig(): PipelineConfig {
  return loadPipelineConfig(defaultPipelinePath());
}

export function defaultPipelinePath(): string {
  return new URL('./default-pipeline.json', import.meta.url).pathname;
}

import { AffinityError } from '../core/errors.js';
import type { BaseRecommender } from './base.js';
import { resolveParams } from './params.js';
import type { ModelEntry } from './entry.js';
export { defineModel, presetOf, type ModelEntry } from './entry.js';
import { readStateFile, writeStateFile } from './io.js';
import type { Recommender } from './recommender.js';
import { baselineModels } from './baseline/index.js';
import { knnModels } from './knn/index.js';
import { svdModels } from './svd/index.js';
import { alsModels } from './als/index.js';
import { bprModels } from './bpr/index.js';
import { easeModels } from './ease/index.js';
import { contentModels } from './content/index.js';
import { hybridModels } from './hybrid/index.js';
import { combineModels } from './combine/index.js';
import { pipelineModels } from './pipeline/index.js';

/** Every model, filled in this one place. */
const ALL: readonly ModelEntry[] = [...baselineModels, ...knnModels, ...svdModels, ...alsModels, ...bprModels, ...easeModels, ...contentModels, ...hybridModels, ...combineModels, ...pipelineModels];

const REGISTRY: ReadonlyMap<string, ModelEntry> = new Map(ALL.map((e) => [e.name, e]));

export function modelNames(): string[] {
  return [...REGISTRY.keys()];
}

export function getModelEntry(name: string): ModelEntry {
  const e = REGISTRY.get(name);
  if (!e) throw new AffinityError('E_PARAM', `model: unknown model ${JSON.stringify(name)}; expected one of ${modelNames().join(', ')}`, { field: 'model' });
  return e;
}

/** Creates an unfitted model by name with (possibly partial, possibly string-typed) parameters. */
export function createModel(name: string, params: Record<string, unknown> = {}): BaseRecommender {
  const e = getModelEntry(name);
  return e.build(e.name, resolveParams(e.name, e.params, params));
}

/** Saves a fitted model to a file (versioned container, see io.ts). */
export function saveModel(model: Recommender, path: string): void {
  writeStateFile(path, model.toState());
}

/** Loads a model saved by `saveModel`, ready to serve. */
export function loadModel(path: string): BaseRecommender {
  const state = readStateFile(path);
  const e = REGISTRY.get(state.name);
  if (!e) throw new AffinityError('E_MODEL_FILE', `${path}: model ${JSON.stringify(state.name)} is not known to this version of Affinity`, { file: path });
  const model = e.build(e.name, resolveParams(e.name, e.params, state.params));
  return model.restore(state);
}

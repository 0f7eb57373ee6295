import { createModel, getModelEntry } from '../models/registry.js';
import type { EvaluationReport } from './protocol.js';
import { evaluateModels, type EvalCommon, type ModelFactory } from './runner.js';

export { evaluateModels, type EvalCommon, type EvalModelsInput, type EvalProgress, type ModelFactory } from './runner.js';

/** A model by registry name, with (possibly partial, possibly string-typed) parameters. */
export interface EvalModelSpec {
  name: string;
  params?: Record<string, unknown>;
}

export interface EvalInput extends EvalCommon {
  models: EvalModelSpec[];
}

/**
 * Evaluates registry models under a protocol over the given folds (see `evaluateModels` for what is
 * measured and how). Unknown model names or parameters fail before any fitting, as E_PARAM errors.
 */
export async function evaluate(input: EvalInput): Promise<EvaluationReport> {
  const models: ModelFactory[] = input.models.map((spec) => {
    const entry = getModelEntry(spec.name);
    createModel(spec.name, spec.params ?? {}); // validates the parameters up front
    return { name: spec.name, task: entry.task, create: () => createModel(spec.name, spec.params ?? {}) };
  });
  const report = await evaluateModels({ ...input, models });
  // Label results by the spec as given, so two variants of one model stay apart in the table.
  input.models.forEach((spec, i) => {
    const extra = Object.entries(spec.params ?? {});
    const r = report.results[i];
    if (r && extra.length) r.label = [spec.name, ...extra.map(([k, v]) => `${k}=${String(v)}`)].join(':');
  });
  return report;
}

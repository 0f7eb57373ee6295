import { defineModel, type ModelEntry } from '../entry.js';
import { PipelineModel, type PipelineModelParams } from './pipeline-model.js';

export { PipelineModel, type PipelineModelParams } from './pipeline-model.js';

/** Registry entries of this family. */
export const pipelineModels: ModelEntry[] = [
  defineModel({
    name: 'pipeline',
    summary: 'multi-stage pipeline: candidate sources (ANN over ALS, item-to-item, popular, new) -> LambdaMART ranking -> MMR, category caps, exploration -> explanations (src/pipeline/default-pipeline.json, or --pipeline FILE)',
    task: 'ranking',
    params: {
      config: {
        default: '',
        doc: "path of a pipeline configuration file (JSON, validated against the schema of src/pipeline/config.ts); '' = the default pipeline (src/pipeline/default-pipeline.json)",
      },
    },
    build: (name, params) => new PipelineModel(name, params as PipelineModelParams),
  }),
];

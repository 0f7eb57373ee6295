export type * from './types.js';
export { AffinityEngine, createEngine } from './engine-api.js';
export type { EngineOptions, VariantSpec } from './engine.js';
export { resolveWeights, eventWeight, type EventWeights } from './weights.js';
export { DEFAULT_OUTCOMES, ensureDemoExperiment, variantPipeline, type AbStats, type OutcomeKind } from './ab.js';
export { demoVariants } from './variants.js';

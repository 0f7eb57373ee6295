export type * from './types.js';
export { AffinityEngine, createEngine } from './engine-api.js';
export type { EngineOptions } from './engine.js';
export { resolveWeights, eventWeight, type EventWeights } from './weights.js';

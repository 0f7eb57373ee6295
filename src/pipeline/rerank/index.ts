export * from './types.js';
export { MmrReranker, categoryVectors, intraListDiversity, type MmrOptions } from './mmr.js';
export { CapReranker, NoAdjacentReranker, type CapOptions, type AdjacencyOptions, type CapKey } from './caps.js';
export { FreshnessBoost, NoveltyBoost, RuleFilter, RuleBoost, AvailabilityFilter, FatigueReranker } from './boosts.js';
export { PinReranker, ExploreReranker, betaSample, gammaSample, type Pin, type ExploreOptions, type ExploreStrategy } from './slots.js';
export { buildReranker, buildRerankers, RERANK_TYPES, type RerankSpec } from './spec.js';

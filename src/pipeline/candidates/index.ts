export { unionCandidates, quotasFromShares, type CandidateUnion } from './union.js';
export { ContentSource, FactorAnnSource, ItemToItemSource, ModelSource, RankedListSource, modelFactors } from './sources.js';
export type { ContentSourceOptions, FactorSourceOptions, ItemToItemOptions } from './sources.js';
export { contentSource, factorSource, itemToItemSource, modelSource, newItemsSource, popularSource, type AnnBuildOptions } from './build.js';

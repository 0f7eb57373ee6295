import type { ModelEntry } from '../entry.js';

/** Registry entries of this family. */
export const contentModels: ModelEntry[] = [];

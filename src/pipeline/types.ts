/**
 * Shapes shared by the stages of the recommendation pipeline (candidates -> ranking -> re-ranking).
 * Lists are typed arrays, never arrays of objects: a request may carry thousands of candidates.
 */

/** What is known about one request: who, their recent history, and the context. */
export interface RequestContext {
  /** Internal user index, or -1 for an anonymous / unknown user. */
  user: number;
  /** The user's interactions, oldest first (items are internal indices). */
  history: { items: Int32Array; values: Float32Array; times: Float64Array | null };
  /** Request time, unix seconds. */
  now: number;
  /** Optional context features. */
  context?: { hour?: number; weekday?: number; device?: string; /** The user's age in years (age restrictions). */ userAge?: number };
}

/**
 * Candidates from one or more sources. `source[k]` indexes `sourceNames`; `sourceScore[k]` is the
 * score the source gave (comparable only within a source). Items are unique after the union.
 */
export interface CandidateSet {
  items: Int32Array;
  sourceScore: Float32Array;
  source: Uint8Array;
  sourceNames: string[];
  /** The history item that produced each candidate (item-to-item sources), -1 if none. */
  anchor?: Int32Array;
}

/** A named candidate generator (factor model via ANN, item-to-item, content, popular, new items, ...). */
export interface CandidateSource {
  readonly name: string;
  /** Up to n candidates for the request, best first, excluding `exclude` (seen items etc.). */
  generate(req: RequestContext, n: number, exclude: Uint8Array | null): { items: Int32Array; scores: Float32Array };
}

/** Final output of the pipeline for one request: items with scores, their source, and an explanation each. */
export interface PipelineResult {
  items: Int32Array;
  scores: Float32Array;
  sources: string[];
  explanations: string[];
}

/**
 * How to split interactions into train and test, as plain data (part of an evaluation protocol).
 * Every split is seeded and reproducible. Train and test share the parent's id maps.
 */
export type SplitSpec =
  /** Random holdout of a fraction of all rows. */
  | { kind: 'random'; testFraction: number }
  /** Per user, a random fraction of that user's rows goes to test (stratified by user); at least `minTrain` stay in train. */
  | { kind: 'user-ratio'; testFraction: number; minTrain?: number }
  /** Global temporal: the latest `testFraction` of all rows (by timestamp) is the test set. */
  | { kind: 'temporal'; testFraction: number }
  /** Per-user temporal: each user's last `lastN` rows, or last fraction of rows, go to test. */
  | { kind: 'user-temporal'; lastN?: number; testFraction?: number }
  /** Leave-one-out: one row per user (the latest, or a random one) is the test set. Users with one row stay in train. */
  | { kind: 'leave-one-out'; pick: 'latest' | 'random' }
  /** k-fold cross-validation over rows (shuffled): k folds, each the test set once. */
  | { kind: 'kfold'; k: number }
  /** Train and test given as separate files. */
  | { kind: 'predefined'; train: string; test: string };

/** One train/test pair (k-fold gives k of them). Indices are row positions in the split dataset. */
export interface SplitFold {
  fold: number;
  trainRows: Int32Array;
  testRows: Int32Array;
}

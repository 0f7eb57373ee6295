/**
 * Coded errors. Every error Affinity raises on bad input is an AffinityError with a stable `code`
 * and a message that names the file and line (or the field) and says what was expected.
 */
export type ErrorCode =
  | 'E_PARSE' // a line of an input file could not be parsed
  | 'E_FORMAT' // the file format could not be detected or is not supported
  | 'E_EMPTY' // an input has no rows
  | 'E_IO' // a file could not be read or written
  | 'E_PARAM' // a parameter has an invalid value
  | 'E_UNKNOWN_ID' // an external id is not known to the model or dataset
  | 'E_NOT_FITTED' // a model was used before fit()
  | 'E_UNSUPPORTED' // the model does not support the operation
  | 'E_MODEL_FILE' // a saved model could not be read
  | 'E_TOO_LARGE' // the problem does not fit the chosen method
  | 'E_OFFLINE' // a download was needed but there is no network
  | 'E_CHECKSUM' // a downloaded file did not match its checksum
  | 'E_ABORTED'; // the operation was cancelled through an AbortSignal

export class AffinityError extends Error {
  readonly code: ErrorCode;
  /** For parse errors: the file and 1-based line number. */
  readonly file?: string;
  readonly line?: number;
  /** For parameter errors: the field name. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, where: { file?: string; line?: number; field?: string } = {}) {
    super(message);
    this.name = 'AffinityError';
    this.code = code;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.field !== undefined) this.field = where.field;
  }
}

/** `file:line: problem; expected ...` — the one format of every parse error. */
export function parseError(file: string, line: number, problem: string, expected: string): AffinityError {
  return new AffinityError('E_PARSE', `${file}:${line}: ${problem}; expected ${expected}`, { file, line });
}

/** A parameter error naming the field and what was expected. */
export function paramError(field: string, got: unknown, expected: string): AffinityError {
  return new AffinityError('E_PARAM', `${field}: got ${JSON.stringify(got)}; expected ${expected}`, { field });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AffinityError('E_ABORTED', 'operation cancelled');
}

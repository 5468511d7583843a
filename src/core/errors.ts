// One error type for every expected failure: a code that maps to exit codes and HTTP statuses,
// and one human sentence. Anything else that reaches the top is a bug and keeps its stack.

export type ErrorCode =
  | 'usage'          // bad command line
  | 'invalid-input'  // a value, file or document that fails validation
  | 'not-found'      // a key, file, update or partition that does not exist
  | 'conflict'       // the state does not allow the operation now
  | 'locked'         // another process holds the lock
  | 'unavailable'    // a server or service that cannot be reached
  | 'gpt'            // partition table problems
  | 'tuf'            // update repository verification
  | 'io';            // the host refused a read or write

export class BrktError extends Error {
  override readonly name = 'BrktError';
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Exit code of a failed `brkt` command: 2 for bad usage or bad input, 1 for a failed operation. */
export const EXIT_CODE = {
  usage: 2,
  'invalid-input': 2,
  'not-found': 1,
  conflict: 1,
  locked: 1,
  unavailable: 1,
  gpt: 1,
  tuf: 1,
  io: 1,
} satisfies Record<ErrorCode, number>;

/** HTTP status the API server answers for each code. */
export const HTTP_STATUS = {
  usage: 400,
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  locked: 423,
  unavailable: 503,
  gpt: 500,
  tuf: 500,
  io: 500,
} satisfies Record<ErrorCode, number>;

export const isBrktError = (error: unknown): error is BrktError => error instanceof BrktError;

/** The message of any thrown value, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

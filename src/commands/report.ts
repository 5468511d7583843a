// Turns a thrown error into a line on stderr and an exit code.
import { BrktError, EXIT_CODE } from '../core/errors';
import { writeErr } from './output';

/** Expected errors: one line, their exit code. Anything else is a bug: full stack, exit 1. */
export function reportError(shown: string, error: unknown, exitCodes: Partial<typeof EXIT_CODE> = {}): number {
  if (error instanceof BrktError) {
    writeErr(`${shown}: ${oneLine(error.message)}\n`);
    return exitCodes[error.code] ?? EXIT_CODE[error.code];
  }
  writeErr(`${shown}: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 1;
}

export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, '; ').trim();

// Turns tuf-js verification failures into one-line messages that name the file and the attack
// the check defends against (TUF specification, "Security": arbitrary software, rollback,
// freeze, mix-and-match, endless data, malicious mirrors).
import { LengthOrHashMismatchError, UnsignedMetadataError } from '@tufjs/models/dist/error';
import { BadVersionError, ExpiredMetadataError } from 'tuf-js/dist/error';
import { BrktError, messageOf } from '../errors';

export type TufStep = 'root' | 'rotation' | 'timestamp' | 'snapshot' | 'targets';

/** A BrktError (code `tuf`) for a failure while verifying `file` at `step`. */
export function tufFailure(error: unknown, file: string, step: TufStep): BrktError {
  if (error instanceof BrktError) return error;
  const detail = messageOf(error);
  const refuse = (why: string) => new BrktError('tuf', `Refusing ${file}: ${why}`, { cause: error });
  if (error instanceof UnsignedMetadataError) {
    if (step === 'rotation') return refuse(`${detail} of the trusted root or of its own (malicious root rotation)`);
    return refuse(`${detail}: wrong or too few signatures (arbitrary software attack)`);
  }
  if (error instanceof ExpiredMetadataError) return refuse(`${detail} (freeze attack: the repository serves stale metadata)`);
  if (error instanceof BadVersionError) {
    if (/less than|Expected version/.test(detail)) return refuse(`${detail} (rollback attack)`);
    return refuse(`${detail} (mix-and-match attack)`);
  }
  if (error instanceof LengthOrHashMismatchError) return refuse(`${detail}: it differs from the length and hashes the signed metadata lists (mix-and-match attack)`);
  if (error instanceof SyntaxError || error instanceof TypeError) return refuse(`malformed metadata: ${detail}`);
  return refuse(detail);
}

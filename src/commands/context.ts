// What every command receives besides its options.
import type { BaseContext } from 'clipanion';
import type { Platform } from '../platform/types';

export interface BrktContext extends BaseContext {
  platform: Platform;
  /** How the program was named on the command line (`brkt`, `signpost`, `brkt signpost`). */
  shown: string;
}

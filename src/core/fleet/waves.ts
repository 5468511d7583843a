// Wave planning for `brkt fleet update`: a canary wave, then waves growing by a factor, and
// the halt rule. The fleet-side counterpart of the update repository's own waves (updates.md).
import { BrktError } from '../errors';

export interface WavePlanOptions {
  /** Size of the first wave (at least 1). */
  canary: number;
  /** Each next wave is this many times larger than the one before (at least 1), rounded up. */
  growth: number;
}

/** Splits the instances, in order, into waves: canary, canary*growth, ...; the last takes the rest. */
export function planWaves<T>(instances: T[], options: WavePlanOptions): T[][] {
  if (!Number.isInteger(options.canary) || options.canary < 1) throw new BrktError('usage', `Invalid --canary ${options.canary}: expected a whole number of at least 1`);
  if (!(options.growth >= 1)) throw new BrktError('usage', `Invalid --growth ${options.growth}: expected a factor of at least 1`);
  const waves: T[][] = [];
  let size = options.canary;
  for (let start = 0; start < instances.length; start += size, size = Math.ceil(size * options.growth)) {
    waves.push(instances.slice(start, start + size));
  }
  return waves;
}

/** A wave's failure share in percent. */
export const failureShare = (failed: number, total: number) => (total === 0 ? 0 : (failed / total) * 100);

/** The rollout stops when a wave's failure share reaches `haltAtPercent`. */
export const shouldHalt = (failed: number, total: number, haltAtPercent: number) => total > 0 && failureShare(failed, total) >= haltAtPercent;

// Update waves: which hosts (by seed) may take an update when (updates.md 3.3, 3.4), and the
// conversion of wave definition files into manifest waves (2.4, 7). Mirrors update_metadata's
// wave logic and updata's set-waves, quirks included; all time arithmetic is in bigint ns.
import { parse as parseToml } from 'smol-toml';
import { BrktError } from '../errors';
import { NANOS_PER_SECOND, type Instant } from './datetime';
import type { WaveBound } from './manifest';

export const MAX_SEED = 2048;

export type Wave =
  | { kind: 'initial'; end: Instant }
  | { kind: 'general'; start: Instant; end: Instant; startSeed: number; endSeed: number }
  | { kind: 'last'; start: Instant; startSeed: number };

/** The wave a seed belongs to; undefined when there is none (no waves, or all keys above 2048). */
export function waveOf(waves: WaveBound[], seed: number): Wave | undefined {
  let lower: WaveBound | undefined;
  let upper: WaveBound | undefined;
  for (const bound of waves) {
    if (bound.seed < seed && (!lower || bound.seed > lower.seed)) lower = bound;
    if (bound.seed >= seed && bound.seed <= MAX_SEED && (!upper || bound.seed < upper.seed)) upper = bound;
  }
  if (!lower && upper) return { kind: 'initial', end: upper.start };
  if (lower && upper) return { kind: 'general', start: lower.start, end: upper.start, startSeed: lower.seed, endSeed: upper.seed };
  if (lower) return { kind: 'last', start: lower.start, startSeed: lower.seed };
  return undefined;
}

/** chrono's `Duration / i32`, to the nanosecond (updates.md 3.4). */
export function chronoDiv(duration: bigint, n: bigint): bigint {
  const secs = duration / NANOS_PER_SECOND;
  const nanos = duration % NANOS_PER_SECOND;
  return (secs / n) * NANOS_PER_SECOND + ((secs % n) * NANOS_PER_SECOND) / n + nanos / n;
}

/** Whether a host with `seed` may take an update with these waves at `now` (updates.md 3.4). */
export function isUpdateReady(waves: WaveBound[], seed: number, now: Instant): boolean {
  if (seed > MAX_SEED && waves.length > 0) {
    // Upstream panics here; a seed outside 0..2048 is a configuration error.
    throw new BrktError('invalid-input', `Seed ${seed} out of range: it must be at most ${MAX_SEED}`);
  }
  const wave = waveOf(waves, seed);
  if (!wave) return true;
  // Quirk: the initial wave is ready even before its own start instant.
  if (wave.kind === 'initial') return true;
  if (wave.kind === 'last') return wave.start <= now;
  if (wave.end <= now) return true;
  if (wave.start > now) return false;
  const perSeed = chronoDiv(wave.end - wave.start, BigInt(wave.endSeed - wave.startSeed));
  // Quirk: the absolute seed, not its position inside the wave, sets the target time.
  return now >= wave.start + perSeed * BigInt(seed);
}

const HOUR = 3600n * NANOS_PER_SECOND;
const UNITS: Record<string, bigint> = { hour: HOUR, hours: HOUR, day: 24n * HOUR, days: 24n * HOUR, week: 168n * HOUR, weeks: 168n * HOUR };

/**
 * updata's `parse_offset`: `[in] COUNT UNIT` with an unsigned 32-bit count and hours, days or
 * weeks. Quirk: minutes and dates are not accepted.
 */
export function parseOffset(text: string): bigint {
  const tokens = text.trim().split(/\s+/);
  const words = tokens[0] === 'in' ? tokens.slice(1) : tokens;
  const [count, unit] = words;
  if (tokens.length < 2 || tokens.length > 3 || words.length !== 2 || !/^\d+$/.test(count!) || Number(count) > 4294967295 || !(unit! in UNITS)) {
    throw new BrktError('invalid-input', `Unable to parse 'start_after' offset from string '${text}': expected '[in] COUNT hours|days|weeks'`);
  }
  return BigInt(count!) * UNITS[unit!]!;
}

export interface WaveDefinition {
  start_after: string;
  fleet_percentage: number;
}

/** The seed where the next wave starts after `percentage` of the fleet, in f32 as upstream. */
export const seedAfterPercentage = (percentage: number) => Math.floor(Math.fround(percentage / 100) * MAX_SEED);

/** Converts a wave file's `[[waves]]` into manifest waves starting at `startAt` (updates.md 2.4). */
export function convertWaves(definitions: WaveDefinition[], startAt: Instant): WaveBound[] {
  const bounds = new Map<number, Instant>();
  let seed = 0;
  for (const wave of definitions) {
    const percentage = wave.fleet_percentage;
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 100) {
      throw new BrktError('invalid-input', `Invalid fleet_percentage ${percentage} in wave '${wave.start_after}': it must be between 1 and 100`);
    }
    bounds.set(seed, startAt + parseOffset(wave.start_after));
    seed = seedAfterPercentage(percentage);
  }
  return [...bounds].map(([key, start]) => ({ seed: key, start })).sort((a, b) => a.seed - b.seed);
}

/** Whether instants strictly increase with the seeds (updata refuses anything else). */
export const areWavesOrdered = (waves: WaveBound[]) =>
  waves.every((bound, i) => i === 0 || waves[i - 1]!.start < bound.start);

/** A wave definition file (`[[waves]]` tables of `start_after` and `fleet_percentage`). */
export function parseWaveFile(text: string, name = 'wave file'): WaveDefinition[] {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to parse ${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const waves = doc.waves;
  if (!Array.isArray(waves)) throw new BrktError('invalid-input', `Failed to parse ${name}: no [[waves]] tables`);
  return waves.map((wave, i) => {
    const { start_after, fleet_percentage } = (wave ?? {}) as Record<string, unknown>;
    if (typeof start_after !== 'string' || typeof fleet_percentage !== 'number') {
      throw new BrktError('invalid-input', `Failed to parse ${name}: wave ${i + 1} needs start_after (string) and fleet_percentage (integer)`);
    }
    return { start_after, fleet_percentage };
  });
}

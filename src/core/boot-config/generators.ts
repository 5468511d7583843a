// sundog (settings.md section 7): fills settings that are still unset from their generators
// (`bork seed`, `schnauzer <key>`, `pluto ...`, or any program) into `bottlerocket-launch`.
import { BrktError, messageOf } from '../errors';
import { getAtPath, keySegments, setAtPath } from '../applier/keys';
import type { Platform } from '../../platform/types';
import { BUILTIN_GENERATORS, type GeneratorContext, type GeneratorOutcome } from './builtin-generators';
import { imdsFor } from './imds';
import { LAUNCH_TX, type LaunchApi } from './launch-api';
import type { Strength } from '../datastore/strength';

export interface SundogResult {
  generated: string[];
  skipped: Array<{ key: string; reason: string }>;
}

/** Runs one generator command: a built-in by its upstream name, else a program (no shell). */
export async function runGenerator(command: string, context: GeneratorContext): Promise<GeneratorOutcome> {
  const argv = command.trim().split(/\s+/).filter(Boolean);
  if (argv.length === 0) throw new BrktError('invalid-input', 'Empty setting generator command');
  const builtin = BUILTIN_GENERATORS[argv[0]!];
  if (builtin) return builtin(argv.slice(1), context);
  // The exit-code contract of upstream generators: 0 = JSON on stdout, 2 = skip, else failure.
  const result = await context.platform.exec(argv, { timeoutMs: 6 * 60_000 });
  if (result.code === 2 && !result.timedOut) return { kind: 'skip', reason: `${argv[0]} exited with 2` };
  if (result.code !== 0 || result.timedOut) {
    const detail = result.stderr.trim().split('\n')[0];
    throw new BrktError('io', `Setting generator '${command}' ${result.timedOut ? 'timed out' : `exited with ${result.code}`}${detail ? `: ${detail}` : ''}`);
  }
  try {
    return { kind: 'value', value: JSON.parse(result.stdout.trim()) };
  } catch {
    throw new BrktError('invalid-input', `Setting generator '${command}' printed something that is not JSON: ${JSON.stringify(result.stdout.trim().slice(0, 80))}`);
  }
}

/**
 * Generates every setting that has a generator and is not populated in live, then PATCHes the
 * results to `bottlerocket-launch`: the weak ones with `strength=weak`, then the strong ones
 * with `strength=strong`, each only when there is something to send (settings-now.md 1.7).
 * Any failure sends nothing. Does not commit. Values already live (a seed from an earlier boot,
 * user data) are kept: generated once; weak ones go at a version change and come back here.
 */
export async function runSundog(platform: Platform, api: LaunchApi, context: Partial<GeneratorContext> = {}): Promise<SundogResult> {
  const generators = await api.settingGenerators();
  const keys = Object.keys(generators).sort();
  const result: SundogResult = { generated: [], skipped: [] };
  if (keys.length === 0) return result;

  const live = await api.liveSettings(keys);
  const full: GeneratorContext = { platform, api, imds: imdsFor(platform), random: () => crypto.getRandomValues(new Uint32Array(1))[0]!, ...context };
  const documents: Record<Strength, Record<string, unknown>> = { weak: {}, strong: {} };
  for (const key of keys) {
    const segments = keySegments(key);
    if (segments[0] !== 'settings' || segments.length < 2) throw new BrktError('invalid-input', `Setting generator for ${key}: not a settings key`);
    if (getAtPath(live, segments.slice(1)) !== undefined) continue;
    const { command, strength } = generators[key]!;
    let outcome: GeneratorOutcome;
    try {
      outcome = await runGenerator(command, full);
    } catch (error) {
      throw new BrktError(error instanceof BrktError ? error.code : 'io', `Failed to generate ${key}: ${messageOf(error)}`, { cause: error });
    }
    if (outcome.kind === 'skip') {
      result.skipped.push({ key, reason: outcome.reason });
      continue;
    }
    setAtPath(documents[strength === 'weak' ? 'weak' : 'strong'], segments.slice(1), outcome.value);
    result.generated.push(key);
  }
  for (const strength of ['weak', 'strong'] as const) {
    if (Object.keys(documents[strength]).length) await api.patch(documents[strength], LAUNCH_TX, strength);
  }
  return result;
}

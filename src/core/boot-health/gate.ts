// The boot-health gate of mark-successful-boot: the first boot of a set not yet marked
// successful runs the configured checks; the set is marked only when all of them pass.
import type { Static } from '@sinclair/typebox';
import type { Platform } from '../../platform/types';
import { getJson } from '../applier/source';
import { successful } from '../gpt/attributes';
import type { BootHealthSettings } from '../model/settings';
import { readOsRelease } from '../os-release';
import { attributesOf, type PartitionState } from '../signpost/state';
import { healthConfig, type HealthConfig } from './config';
import { healthDir, writeHealthRecord, type HealthRecord } from './record';
import { runChecks } from './run-checks';

/** `settings.boot-health` from the API serving on the platform's socket. */
export async function readHealthConfig(platform: Platform): Promise<HealthConfig> {
  const settings = await getJson<{ 'boot-health'?: Static<typeof BootHealthSettings> }>(platform, platform.paths.apiSocket, '/settings');
  return healthConfig(settings['boot-health']);
}

/** True when this boot is a set's first: its successful bit is still clear (signpost.md 6). */
export const needsJudgement = (state: PartitionState) => !successful(attributesOf(state, state.sets[state.active]!.boot));

/**
 * Judges the running set: runs the checks and keeps the result (the last judgement replaces
 * the one before). Undefined when no check is configured: then nothing is judged or written.
 */
export async function judgeBoot(platform: Platform, state: PartitionState, config: HealthConfig): Promise<HealthRecord | undefined> {
  if (config.checks.length === 0) return undefined;
  const startedAt = platform.now();
  const checks = await runChecks(platform, config, `${healthDir(platform)}/output`);
  const record: HealthRecord = {
    set: state.active,
    version: (await readOsRelease(platform))?.versionId ?? 'unknown',
    outcome: checks.every(check => check.outcome === 'passed') ? 'passed' : 'failed',
    startedAt: startedAt.toISOString(),
    durationMs: platform.now().getTime() - startedAt.getTime(),
    windowSeconds: config.windowSeconds,
    checks,
  };
  await writeHealthRecord(platform, record);
  return record;
}

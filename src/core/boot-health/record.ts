// The last boot-health judgement, kept under the root's brkt state (outside the partition sets),
// so the set the bootloader falls back to can say which version failed which check.
import type { Platform } from '../../platform/types';
import type { SetName } from '../signpost/sets';

export type CheckOutcome = 'passed' | 'failed' | 'timed-out';

export interface CheckResult {
  name: string;
  command: string[];
  outcome: CheckOutcome;
  /** The check's exit status; null when it was killed at its deadline or never started. */
  exitStatus: number | null;
  /** Which deadline stopped a timed-out check. */
  stoppedBy?: 'timeout' | 'window';
  durationMs: number;
  /** The last lines of stdout and stderr together (the whole output is in `outputPath`). */
  outputTail: string[];
  outputPath: string;
}

export interface HealthRecord {
  set: SetName;
  version: string;
  outcome: 'passed' | 'failed';
  startedAt: string;
  durationMs: number;
  windowSeconds: number;
  checks: CheckResult[];
}

/** Where a judgement and the checks' output files live. */
export const healthDir = (platform: Platform) => `${platform.paths.state}/boot-health`;
const recordPath = (platform: Platform) => `${healthDir(platform)}/last.json`;

export async function readHealthRecord(platform: Platform): Promise<HealthRecord | undefined> {
  const text = await platform.files.readTextIfExists(recordPath(platform));
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as HealthRecord;
    return Array.isArray(record.checks) && typeof record.version === 'string' ? record : undefined;
  } catch {
    return undefined; // a torn record says nothing; the next judgement replaces it
  }
}

export async function writeHealthRecord(platform: Platform, record: HealthRecord): Promise<void> {
  await platform.files.writeAtomic(recordPath(platform), JSON.stringify(record, null, 2) + '\n');
}

/** The first check that did not pass, in name order. */
export const firstFailure = (record: HealthRecord): CheckResult | undefined => record.checks.find(check => check.outcome !== 'passed');

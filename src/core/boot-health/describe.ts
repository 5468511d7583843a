// One-line descriptions of boot-health results, shared by `brkt boot`, `brkt boot health` and
// `brkt update status`.
import type { CheckResult, HealthRecord } from './record';
import { firstFailure } from './record';

/** `exit 3`, `timed out after 5 s (timeout-seconds)`, `passed`. */
export function describeCheck(check: CheckResult): string {
  if (check.outcome === 'passed') return 'passed';
  if (check.outcome === 'timed-out') return `timed out after ${seconds(check.durationMs)} (${check.stoppedBy === 'window' ? 'window-seconds' : 'timeout-seconds'})`;
  return check.exitStatus === null ? 'failed (no command)' : `failed (exit ${check.exitStatus})`;
}

/** `version 1.1.0 failed check 'version' (exit 1)`, or undefined when the record passed. */
export function describeFailure(record: HealthRecord): string | undefined {
  const failed = firstFailure(record);
  if (!failed) return undefined;
  return `version ${record.version} (set ${record.set}) failed check '${failed.name}': ${describeCheck(failed)}`;
}

/** `7 ms` under a second, else `2.31 s` (`42 s` from ten seconds on). */
export const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`);

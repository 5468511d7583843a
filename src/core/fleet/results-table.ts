// The tables and summaries brkt fleet prints: one row per instance, plain text for people,
// the same data as JSON for scripts.
import type { FleetCommandResult, FleetProgress } from './run-command';
import type { RolloutReport } from './rollout';

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map(row => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [headers, ...rows].map(line).join('\n') + '\n';
}

export function countResults(result: FleetCommandResult): FleetProgress {
  const done = result.instances.filter(instance => instance.status === 'Success').length;
  const pending = result.instances.filter(instance => ['Pending', 'InProgress', 'Delayed', 'Cancelling'].includes(instance.status)).length;
  return { done, failed: result.instances.length - done - pending, pending };
}

/** `brkt fleet run`: instance, status, exit code, first output line; then the counts. */
export function formatCommandResult(result: FleetCommandResult): string {
  const rows = result.instances.map(instance => [instance.instanceId, instance.status, instance.exitCode === undefined ? '-' : String(instance.exitCode), instance.firstLine]);
  const counts = countResults(result);
  const note = result.timedOut ? ' (stopped waiting at the timeout)' : '';
  return formatTable(['INSTANCE', 'STATUS', 'EXIT', 'OUTPUT'], rows) + `${formatProgress(counts)}${note}\n`;
}

export function commandResultJson(result: FleetCommandResult) {
  return {
    commandIds: result.commandIds,
    succeeded: result.succeeded,
    timedOut: result.timedOut,
    ...countResults(result),
    instances: result.instances.map(({ instanceId, commandId, status, exitCode, output }) => ({ instanceId, commandId, status, exitCode: exitCode ?? null, output })),
  };
}

export const formatProgress = (progress: FleetProgress) => `${progress.done} done, ${progress.failed} failed, ${progress.pending} pending`;

/** `brkt fleet update`: one row per instance in plan order, then what was and was not updated. */
export function formatRollout(report: RolloutReport, haltAtPercent: number): string {
  const rows = report.instances.map(instance => [String(instance.wave), instance.instanceId, instance.outcome, instance.versionBefore ?? '-', instance.versionAfter ?? '-', instance.detail]);
  const table = formatTable(['WAVE', 'INSTANCE', 'RESULT', 'BEFORE', 'AFTER', 'DETAIL'], rows);
  const lines = [table.trimEnd()];
  const last = report.waves.at(-1);
  if (report.halted && last) {
    lines.push(`Rollout halted after wave ${last.wave} of ${report.plannedWaves}: ${last.failed} of ${last.instanceIds.length} failed (${percent(last.failureShare)}, --halt-at ${percent(haltAtPercent)})`);
  } else {
    lines.push(`Rollout finished: ${report.waves.length} of ${report.plannedWaves} waves`);
  }
  lines.push(`Updated (${ids(report, 'updated').length}): ${ids(report, 'updated').join(' ') || '-'}`);
  lines.push(`Failed (${ids(report, 'failed').length}): ${ids(report, 'failed').join(' ') || '-'}`);
  lines.push(`Not updated (${ids(report, 'not-updated').length}): ${ids(report, 'not-updated').join(' ') || '-'}`);
  return lines.join('\n') + '\n';
}

export function rolloutJson(report: RolloutReport) {
  return {
    halted: report.halted,
    plannedWaves: report.plannedWaves,
    waves: report.waves,
    updated: ids(report, 'updated'),
    failed: ids(report, 'failed'),
    notUpdated: ids(report, 'not-updated'),
    instances: report.instances,
  };
}

const ids = (report: RolloutReport, outcome: string) => report.instances.filter(instance => instance.outcome === outcome).map(instance => instance.instanceId);
const percent = (value: number) => `${Number(value.toFixed(1))}%`;

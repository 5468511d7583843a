// The rolling update of `brkt fleet update`: per wave, read each instance's version, run the
// update, then ask again until the instance reports the new version; halt on too many failures.
import { BrktError } from '../errors';
import { describeTargets, type FleetTargets } from './targets';
import { chunks, delay, isFinished, runFleetCommand } from './run-command';
import { firstLine, parseReportedVersion } from './remote-commands';
import { failureShare, planWaves, shouldHalt } from './waves';
import type { FleetApi, Invocation } from './ssm-api';

export type Outcome = 'updated' | 'failed' | 'not-updated';

export interface RolloutInstance {
  instanceId: string;
  /** 1-based wave number. */
  wave: number;
  outcome: Outcome;
  versionBefore?: string;
  versionAfter?: string;
  detail: string;
}

export interface RolloutWave {
  wave: number;
  instanceIds: string[];
  updated: number;
  failed: number;
  /** Failed instances in percent of the wave. */
  failureShare: number;
}

export interface RolloutReport {
  plannedWaves: number;
  /** The waves that ran, in order. */
  waves: RolloutWave[];
  /** Later waves were left alone because a wave's failure share reached the threshold. */
  halted: boolean;
  /** Every instance in plan order, including those never reached. */
  instances: RolloutInstance[];
}

export type RolloutEvent =
  | { kind: 'wave-start'; wave: number; of: number; instanceIds: string[] }
  | { kind: 'progress'; wave: number; updated: number; failed: number; pending: number }
  | { kind: 'wave-end'; wave: RolloutWave; halting: boolean };

export interface RolloutOptions {
  targets: FleetTargets;
  document: string;
  canary: number;
  growth: number;
  haltAtPercent: number;
  /** Per wave, in ms: how long to wait for the versions before, and again for the new versions. */
  timeoutMs: number;
  pollMs: number;
  updateCommandLine: string;
  versionCommandLine: string;
  /** The version to reach; without it, any version other than the one read before the update counts. */
  version?: string;
  onEvent?: (event: RolloutEvent) => void;
}

// The wave is the unit of concurrency and the rollout judges failures itself, so SSM must
// neither throttle nor stop a wave's commands.
const WHOLE_WAVE = { maxConcurrency: '100%', maxErrors: '100%' };

/** Plans the waves and runs them in order until done or halted. Later waves are never sent anything. */
export async function runRollout(api: FleetApi, options: RolloutOptions): Promise<RolloutReport> {
  const instanceIds = options.targets.kind === 'instances' ? options.targets.instanceIds : await api.describeInstances(options.targets.targets);
  if (instanceIds.length === 0) throw new BrktError('not-found', `No managed instances match ${describeTargets(options.targets)}`);
  const plan = planWaves(instanceIds, { canary: options.canary, growth: options.growth });
  const report: RolloutReport = { plannedWaves: plan.length, waves: [], halted: false, instances: [] };

  for (const [index, ids] of plan.entries()) {
    const wave = index + 1;
    if (report.halted) {
      const detail = `Not reached: the rollout halted after wave ${report.waves.length}`;
      report.instances.push(...ids.map(instanceId => ({ instanceId, wave, outcome: 'not-updated' as const, detail })));
      continue;
    }
    options.onEvent?.({ kind: 'wave-start', wave, of: plan.length, instanceIds: ids });
    const results = await runWave(api, wave, ids, options);
    const failed = results.filter(result => result.outcome === 'failed').length;
    const summary = { wave, instanceIds: ids, updated: ids.length - failed, failed, failureShare: failureShare(failed, ids.length) };
    report.waves.push(summary);
    report.instances.push(...results);
    report.halted = wave < plan.length && shouldHalt(failed, ids.length, options.haltAtPercent);
    options.onEvent?.({ kind: 'wave-end', wave: summary, halting: report.halted });
  }
  return report;
}

type Phase = 'updating' | 'confirming' | 'updated' | 'failed';

interface Tracked {
  phase: Phase;
  before?: string;
  after?: string;
  /** The version command that is out for this instance, if any. */
  query?: string;
  lastSeen?: string;
  detail: string;
}

/** One wave: versions before, the update, then version reports until all are settled or the wave's time is up. */
async function runWave(api: FleetApi, wave: number, ids: string[], options: RolloutOptions): Promise<RolloutInstance[]> {
  const tracked = new Map<string, Tracked>(ids.map(id => [id, { phase: 'updating', detail: '' }]));
  const fail = (entry: Tracked, detail: string) => Object.assign(entry, { phase: 'failed', detail });

  const before = await runFleetCommand(api, {
    document: options.document, commandLine: options.versionCommandLine, targets: { kind: 'instances', instanceIds: ids }, ...WHOLE_WAVE,
  }, { timeoutMs: options.timeoutMs, pollMs: options.pollMs });
  for (const result of before.instances) {
    const entry = tracked.get(result.instanceId);
    if (!entry) continue;
    const version = result.status === 'Success' ? parseReportedVersion(result.output) : undefined;
    if (version === undefined) fail(entry, `No version report before the update: ${describeInvocation(result)}`);
    else if (version === options.version) Object.assign(entry, { phase: 'updated', before: version, after: version, detail: `Already at ${version}` });
    else entry.before = version;
  }

  // A fresh period for the update itself: a host that never answered above must not eat it.
  const deadline = Date.now() + options.timeoutMs;
  const toUpdate = ids.filter(id => tracked.get(id)!.phase === 'updating');
  const updateCommands = await sendToInstances(api, toUpdate, options.updateCommandLine, options.document);
  for (;;) {
    const running = updateCommands.filter(sent => sent.instanceIds.some(id => tracked.get(id)!.phase === 'updating'));
    for (const invocation of await invocationsOf(api, running)) {
      const entry = tracked.get(invocation.instanceId);
      if (entry?.phase !== 'updating' || !isFinished(invocation.status)) continue;
      if (invocation.status === 'Success') Object.assign(entry, { phase: 'confirming', detail: '' });
      else fail(entry, `Update command ${describeInvocation(invocation)}`);
    }
    await readVersionReports(api, tracked, options);
    const open = [...tracked.values()].filter(entry => entry.phase === 'updating' || entry.phase === 'confirming');
    const counts = countPhases(tracked);
    options.onEvent?.({ kind: 'progress', wave, ...counts });
    if (open.length === 0) break;
    if (Date.now() >= deadline) {
      const seconds = `${options.timeoutMs / 1000}s`;
      for (const entry of open) {
        if (entry.phase === 'updating') fail(entry, `Update command still running after ${seconds}`);
        else if (entry.lastSeen) fail(entry, `Still reports ${entry.lastSeen} after ${seconds}`);
        else fail(entry, `Did not report a version within ${seconds}`);
      }
      break;
    }
    await delay(Math.min(options.pollMs, Math.max(0, deadline - Date.now())));
  }

  return ids.map(instanceId => {
    const entry = tracked.get(instanceId)!;
    const outcome: Outcome = entry.phase === 'updated' ? 'updated' : 'failed';
    return { instanceId, wave, outcome, versionBefore: entry.before, versionAfter: entry.after, detail: entry.detail };
  });
}

/**
 * Reads the answers to the version commands that are out, then asks every confirming instance
 * that has none out (again): a rebooting host answers late, or first with its old version.
 */
async function readVersionReports(api: FleetApi, tracked: Map<string, Tracked>, options: RolloutOptions) {
  const out = new Set([...tracked.values()].flatMap(entry => (entry.phase === 'confirming' && entry.query ? [entry.query] : [])));
  for (const invocation of await invocationsOf(api, [...out].map(commandId => ({ commandId })))) {
    const entry = tracked.get(invocation.instanceId);
    if (entry?.phase !== 'confirming' || !isFinished(invocation.status)) continue;
    entry.query = undefined;
    const version = invocation.status === 'Success' ? parseReportedVersion(invocation.output) : undefined;
    if (version === undefined) continue;
    entry.lastSeen = version;
    const reached = options.version ? version === options.version : version !== entry.before;
    if (reached) Object.assign(entry, { phase: 'updated', after: version, detail: `Updated ${entry.before} -> ${version}` });
  }
  const ask = [...tracked].filter(([, entry]) => entry.phase === 'confirming' && !entry.query).map(([id]) => id);
  for (const { commandId, instanceIds } of await sendToInstances(api, ask, options.versionCommandLine, options.document)) {
    for (const id of instanceIds) tracked.get(id)!.query = commandId;
  }
}

async function sendToInstances(api: FleetApi, ids: string[], commandLine: string, document: string) {
  const sent: Array<{ commandId: string; instanceIds: string[] }> = [];
  for (const instanceIds of chunks(ids, 50)) {
    sent.push({ commandId: await api.sendCommand({ document, commandLine, instanceIds, ...WHOLE_WAVE }), instanceIds });
  }
  return sent;
}

async function invocationsOf(api: FleetApi, commands: Array<{ commandId: string }>): Promise<Invocation[]> {
  const all: Invocation[] = [];
  for (const { commandId } of commands) all.push(...(await api.listInvocations(commandId)));
  return all;
}

function countPhases(tracked: Map<string, Tracked>) {
  const entries = [...tracked.values()];
  const updated = entries.filter(entry => entry.phase === 'updated').length;
  const failed = entries.filter(entry => entry.phase === 'failed').length;
  return { updated, failed, pending: entries.length - updated - failed };
}

function describeInvocation(invocation: { status: string; exitCode?: number; output: string }): string {
  const code = invocation.exitCode === undefined ? '' : ` (exit ${invocation.exitCode})`;
  const line = firstLine(invocation.output);
  return `${invocation.status}${code}${line ? `: ${line}` : ''}`;
}

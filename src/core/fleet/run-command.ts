// Runs one shell line on the targets through SSM Run Command and waits for the result:
// SendCommand, then ListCommands until the command is done, then ListCommandInvocations.
import type { FleetApi, Invocation } from './ssm-api';
import type { FleetTargets } from './targets';
import { firstLine } from './remote-commands';

export interface FleetProgress {
  done: number;
  failed: number;
  pending: number;
}

export interface FleetCommandRequest {
  document: string;
  commandLine: string;
  targets: FleetTargets;
  maxConcurrency?: string;
  maxErrors?: string;
}

export interface WaitOptions {
  /** How long to wait for every instance, in ms, before reporting the rest as unfinished. */
  timeoutMs: number;
  /** Pause between status calls, in ms. */
  pollMs: number;
  onProgress?: (progress: FleetProgress) => void;
}

export interface InstanceResult {
  instanceId: string;
  commandId: string;
  /** SSM's invocation status: Success, Failed, TimedOut, Cancelled, InProgress, Pending, ... */
  status: string;
  exitCode?: number;
  firstLine: string;
  output: string;
}

export interface FleetCommandResult {
  commandIds: string[];
  instances: InstanceResult[];
  /** The wait ended at the timeout with some instances unfinished. */
  timedOut: boolean;
  /** Every instance finished with status Success. */
  succeeded: boolean;
}

// SendCommand takes at most 50 instance IDs; larger lists become several commands (so SSM
// applies MaxConcurrency and MaxErrors to each group of 50).
const IDS_PER_COMMAND = 50;

const TERMINAL_COMMAND = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);
const TERMINAL_INVOCATION = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated', 'DeliveryTimedOut', 'ExecutionTimedOut']);

export const isFinished = (status: string) => TERMINAL_INVOCATION.has(status);

/** Sends the command, waits until SSM reports it done (or the timeout), and collects each instance's result. */
export async function runFleetCommand(api: FleetApi, request: FleetCommandRequest, options: WaitOptions): Promise<FleetCommandResult> {
  const deadline = Date.now() + options.timeoutMs;
  const base = { document: request.document, commandLine: request.commandLine, maxConcurrency: request.maxConcurrency, maxErrors: request.maxErrors };
  const commandIds: string[] = [];
  if (request.targets.kind === 'instances') {
    for (const chunk of chunks(request.targets.instanceIds, IDS_PER_COMMAND)) {
      commandIds.push(await api.sendCommand({ ...base, instanceIds: chunk }));
    }
  } else {
    commandIds.push(await api.sendCommand({ ...base, targets: request.targets.targets }));
  }

  const timedOut = !(await waitForCommands(api, commandIds, deadline, options));
  const instances: InstanceResult[] = [];
  for (const commandId of commandIds) {
    for (const invocation of await api.listInvocations(commandId)) instances.push(toResult(commandId, invocation));
  }
  if (request.targets.kind === 'instances') {
    // An instance SSM has not created an invocation for yet is still pending, not absent.
    const seen = new Set(instances.map(result => result.instanceId));
    request.targets.instanceIds.forEach((instanceId, index) => {
      if (!seen.has(instanceId)) instances.push({ instanceId, commandId: commandIds[Math.floor(index / IDS_PER_COMMAND)]!, status: 'Pending', firstLine: '', output: '' });
    });
    const order = new Map(request.targets.instanceIds.map((id, index) => [id, index]));
    instances.sort((a, b) => order.get(a.instanceId)! - order.get(b.instanceId)!);
  } else {
    instances.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }
  return { commandIds, instances, timedOut, succeeded: instances.length > 0 && instances.every(result => result.status === 'Success') };
}

/** Polls ListCommands until every command is in a final state; false when the deadline came first. */
async function waitForCommands(api: FleetApi, commandIds: string[], deadline: number, options: WaitOptions): Promise<boolean> {
  const summaries = new Map<string, FleetProgress & { finished: boolean }>();
  for (;;) {
    for (const commandId of commandIds) {
      if (summaries.get(commandId)?.finished) continue;
      const command = await api.getCommand(commandId);
      // CompletedCount counts every final state; ErrorCount and DeliveryTimedOutCount the failed ones.
      const failed = command.errorCount + command.deliveryTimedOutCount;
      summaries.set(commandId, {
        done: Math.max(0, command.completedCount - failed),
        failed,
        pending: Math.max(0, command.targetCount - command.completedCount),
        finished: TERMINAL_COMMAND.has(command.status),
      });
    }
    const all = [...summaries.values()];
    options.onProgress?.({ done: sum(all, 'done'), failed: sum(all, 'failed'), pending: sum(all, 'pending') });
    if (all.every(summary => summary.finished)) return true;
    if (Date.now() >= deadline) return false;
    await delay(Math.min(options.pollMs, Math.max(0, deadline - Date.now())));
  }
}

function toResult(commandId: string, invocation: Invocation): InstanceResult {
  return { ...invocation, commandId, firstLine: firstLine(invocation.output) };
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const sum = (items: FleetProgress[], key: keyof FleetProgress) => items.reduce((total, item) => total + item[key], 0);

export const delay = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

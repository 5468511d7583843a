// `brkt update`, `brkt update cancel`, `brkt update check` and `brkt update status`: the update
// API's state machine driven in the foreground (refresh, prepare, activate, or deactivate), so
// the status file shows what the command line did, and the update API and the command line
// exclude each other through the same lock.
import { BrktError } from '../errors';
import type { Update } from '../updates/manifest';
import { readUpdogConfig } from '../updates/updog-config';
import { chooseFor, startUpdog } from '../updates/updog-session';
import type { Version } from '../updates/version';
import type { Platform } from '../../platform/types';
import { readStatus, startCommand } from './dispatcher';
import { DispatchRefusal, type RefreshOptions } from './state-machine';
import { initialStatus, type CommandType, type UpdateStatus } from './status';
import { UpdogFailure, type UpdogOperations } from './updog-operations';

export type UpdateOutcome =
  | { kind: 'no-update'; status: UpdateStatus }
  | { kind: 'applied'; version: string; status: UpdateStatus }
  | { kind: 'already-applied'; version: string; status: UpdateStatus };

/** Keeps the error of the last failed operation, so the command line reports it as it was thrown. */
function remembering(updog: UpdogOperations): { updog: UpdogOperations; lastError: () => unknown } {
  let last: unknown;
  const wrap = <A extends unknown[], R>(op: (...args: A) => Promise<R>) => async (...args: A) => {
    try {
      return await op(...args);
    } catch (error) {
      last = error instanceof UpdogFailure && error.error !== undefined ? error.error : error;
      throw error;
    }
  };
  return {
    updog: { listUpdates: wrap(updog.listUpdates), stage: wrap(updog.stage), activate: wrap(updog.activate), deactivate: wrap(updog.deactivate) },
    lastError: () => last,
  };
}

/** Runs one command to its end; a failed command throws its error (the status says the same). */
async function runToEnd(platform: Platform, tracked: ReturnType<typeof remembering>, command: CommandType, options: RefreshOptions = {}): Promise<UpdateStatus> {
  const started = await startCommand(platform, tracked.updog, command, options);
  const status = await started.done;
  if (status.most_recent_command?.cmd_status !== 'Success') {
    const error = tracked.lastError();
    if (error instanceof BrktError) throw error;
    const stderr = status.most_recent_command?.stderr.trim().split('\n').at(-1);
    throw new BrktError('io', `${command} failed: ${stderr || 'no message'}`);
  }
  return status;
}

/**
 * `brkt update`: refresh (with `--now`/`--image`), prepare exactly the chosen version, activate.
 * An update already applied and booting next is reported, not written again.
 */
export async function updateInForeground(platform: Platform, updog: UpdogOperations, options: { ignoreWaves?: boolean; forced?: Version }): Promise<UpdateOutcome> {
  const tracked = remembering(updog);
  let status = await runToEnd(platform, tracked, 'refresh', options);
  if (status.update_state === 'Ready' && status.staging_partition) {
    const staged = status.staging_partition.image.version;
    if (!status.chosen_update || status.chosen_update.version === staged) return { kind: 'already-applied', version: staged, status };
    throw new BrktError('conflict', `Update ${staged} is already applied and boots next: reboot to run it, or run 'brkt update cancel' before applying ${status.chosen_update.version}`);
  }
  if (!status.chosen_update) return { kind: 'no-update', status };
  status = await runToEnd(platform, tracked, 'prepare');
  status = await runToEnd(platform, tracked, 'activate');
  return { kind: 'applied', version: status.staging_partition!.image.version, status };
}

/** `brkt update cancel`: deactivate; the running set boots next again. */
export async function cancelInForeground(platform: Platform, updog: UpdogOperations): Promise<UpdateStatus> {
  try {
    return await runToEnd(platform, remembering(updog), 'deactivate');
  } catch (error) {
    if (error instanceof DispatchRefusal && error.exitCode !== 64) {
      throw new BrktError('conflict', `Nothing to cancel: no update is applied and waiting for a reboot (${error.message})`);
    }
    throw error;
  }
}

export interface CheckResult {
  update?: Update;
  current: Version;
  variant: string;
  paused: boolean;
}

/** `brkt update check`: what `updog check-update` would choose; changes nothing. */
export async function checkUpdate(platform: Platform): Promise<CheckResult> {
  const session = await startUpdog(platform);
  return { update: chooseFor(session), current: session.current, variant: session.variant, paused: session.config.paused };
}

/**
 * `brkt update status`: the status file, or the initial status when no update command has run
 * since boot (`initialized` false); `paused` from updog.toml when it can be read.
 */
export async function describeStatus(platform: Platform): Promise<{ status: UpdateStatus; initialized: boolean; paused: boolean | undefined }> {
  let status: UpdateStatus;
  let initialized = true;
  try {
    status = await readStatus(platform);
  } catch (error) {
    if (!(error instanceof BrktError) || error.code !== 'not-found') throw error;
    status = await initialStatus(platform);
    initialized = false;
  }
  let paused: boolean | undefined;
  try {
    paused = (await readUpdogConfig(platform)).paused;
  } catch {
    paused = undefined; // no updog.toml yet: nothing to say about the andon cord
  }
  return { status, initialized, paused };
}

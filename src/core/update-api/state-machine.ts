// The update state machine (updates.md 6.4): which command each state allows, the checks made
// before the work starts, and the status after it. Mirrors thar-be-updates' main.rs.
import { parse as parseToml } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import { parseVersionLock } from '../updates/select';
import { readUpdogConfig } from '../updates/updog-config';
import { compareVersions, type Version } from '../updates/version';
import type { Update } from '../updates/manifest';
import type { Platform } from '../../platform/types';
import { commandTimestamp, type CommandType, type UpdateImage, type UpdateStatus } from './status';
import { UpdogFailure, type UpdogOperations } from './updog-operations';

/** Exit statuses of thar-be-updates (6.3) and the API's answers to them (api.md 8.2). */
export const REFUSALS = {
  64: { status: 423, message: 'Update lock held' },
  65: { status: 409, message: 'Update action not allowed according to update state' },
  66: { status: 404, message: 'Previously chosen Update no longer exists' },
  67: { status: 404, message: 'No update image applied to staging partition' },
} as const;
export type RefusalCode = keyof typeof REFUSALS;

/** A command refused before any work started; nothing was changed. */
export class DispatchRefusal extends BrktError {
  constructor(readonly exitCode: RefusalCode, detail: string) {
    super(exitCode === 64 ? 'locked' : exitCode === 65 ? 'conflict' : 'not-found', `${REFUSALS[exitCode].message}: ${detail}`);
  }
}

/** brkt's own refresh options (`brkt update --now --image V`); the API passes none. */
export interface RefreshOptions {
  ignoreWaves?: boolean;
  forced?: Version;
}

const ALLOWED: Record<CommandType, readonly UpdateStatus['update_state'][]> = {
  refresh: ['Idle', 'Available', 'Staged', 'Ready'],
  prepare: ['Available', 'Staged'],
  activate: ['Staged'],
  deactivate: ['Ready'],
};

/** The checks made before forking (6.4 "pre-check"): 65, 66 or 67, else nothing. */
export function preCheck(status: UpdateStatus, command: CommandType): void {
  if (!ALLOWED[command].includes(status.update_state)) {
    throw new DispatchRefusal(65, `${command} is not allowed in state ${status.update_state}`);
  }
  if (command === 'prepare' && !status.chosen_update) throw new DispatchRefusal(66, 'no update was chosen; refresh first');
  if ((command === 'activate' || command === 'deactivate') && !status.staging_partition) {
    throw new DispatchRefusal(67, `${command} needs a staged update`);
  }
}

/**
 * The version lock of thar-be-updates (6.1): `etc/thar-be-updates.toml`, or, where no such file is
 * rendered (brkt renders only updog.toml), updog.toml's `version_lock`, from the same setting.
 */
async function versionLock(platform: Platform): Promise<string> {
  const path = platform.paths.tharBeUpdatesToml;
  const text = await platform.files.readTextIfExists(path);
  if (text === undefined) return (await readUpdogConfig(platform)).versionLock;
  let lock: unknown;
  try {
    lock = (parseToml(text) as Record<string, unknown>)['version-lock'];
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to parse ${path}: ${messageOf(error).split('\n')[0]}`);
  }
  if (typeof lock !== 'string') throw new BrktError('invalid-input', `Failed to read ${path}: required setting version-lock`);
  return lock;
}

/** 6.4 refresh: the pick from updog's list, by the version lock (or brkt's forced version). */
function pick(updates: Update[], current: Version, lock: string, forced?: Version): Update | undefined {
  if (forced) return updates.find(u => compareVersions(u.version, forced) === 0);
  const locked = parseVersionLock(lock);
  if (!locked) return updates.find(u => compareVersions(current, u.version) < 0 || compareVersions(current, u.maxVersion) > 0);
  if (compareVersions(locked, current) === 0) return undefined;
  return updates.find(u => compareVersions(u.version, locked) === 0);
}

const imageOf = (u: Update): UpdateImage => ({ arch: u.arch, version: u.version.text, variant: u.variant });

function record(platform: Platform, status: UpdateStatus, command: CommandType, outcome: { exitStatus: number; stderr: string }) {
  status.most_recent_command = {
    cmd_type: command,
    cmd_status: outcome.exitStatus === 0 ? 'Success' : 'Failed',
    timestamp: commandTimestamp(platform.now(), status.most_recent_command?.timestamp),
    exit_status: outcome.exitStatus,
    stderr: outcome.stderr,
  };
}

const failureOf = (error: unknown) =>
  error instanceof UpdogFailure ? { exitStatus: error.exitStatus, stderr: error.stderr } : { exitStatus: 1, stderr: messageOf(error) + '\n' };

/**
 * The work after the fork (6.4 "child runs"): changes `status` in place, including
 * `most_recent_command`. Never throws for an updog failure: that is recorded in the status.
 */
export async function execute(platform: Platform, status: UpdateStatus, command: CommandType, updog: UpdogOperations, options: RefreshOptions = {}): Promise<void> {
  switch (command) {
    case 'refresh': {
      let list;
      try {
        list = await updog.listUpdates({ ignoreWaves: options.ignoreWaves });
      } catch (error) {
        record(platform, status, command, failureOf(error));
        if (status.update_state === 'Available') status.update_state = 'Idle';
        return;
      }
      record(platform, status, command, { exitStatus: 0, stderr: list.stderr });
      let chosen: Update | undefined;
      try {
        chosen = pick(list.updates, list.current, await versionLock(platform), options.forced);
      } catch (error) {
        // A config error leaves the state as it was (6.4), and says why.
        record(platform, status, command, { exitStatus: 1, stderr: list.stderr + messageOf(error) + '\n' });
        return;
      }
      status.available_updates = list.updates.map(u => u.version.text);
      status.chosen_update = chosen ? imageOf(chosen) : null;
      if (status.update_state === 'Idle' || status.update_state === 'Available') status.update_state = chosen ? 'Available' : 'Idle';
      return;
    }
    case 'prepare': {
      const chosen = status.chosen_update!;
      try {
        const { stderr } = await updog.stage(chosen.version);
        record(platform, status, command, { exitStatus: 0, stderr });
      } catch (error) {
        record(platform, status, command, failureOf(error));
        return;
      }
      status.update_state = 'Staged';
      status.staging_partition = { image: { ...chosen }, next_to_boot: false };
      return;
    }
    case 'activate':
    case 'deactivate': {
      const activate = command === 'activate';
      try {
        const { stderr } = activate ? await updog.activate() : await updog.deactivate();
        record(platform, status, command, { exitStatus: 0, stderr });
      } catch (error) {
        record(platform, status, command, failureOf(error));
        return;
      }
      status.update_state = activate ? 'Ready' : 'Staged';
      status.staging_partition!.next_to_boot = activate;
      status.active_partition.next_to_boot = !activate;
      return;
    }
  }
}

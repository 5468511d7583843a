// The update dispatcher (thar-be-updates, updates.md 6.3): exclusive non-blocking lock, status
// file created on first use, pre-checks, then the work while the lock is held, the status written
// whether or not the work failed. brkt runs the work in this process instead of a forked child;
// callers see the same thing: an immediate answer, then the status file when it is done.
import { BrktError } from '../errors';
import type { FileLock, Platform } from '../../platform/types';
import { execute, DispatchRefusal, preCheck, type RefreshOptions } from './state-machine';
import { initialStatus, readStatusFile, writeStatusFile, type CommandType, type UpdateStatus } from './status';
import type { UpdogOperations } from './updog-operations';

export interface StartedCommand {
  /** Resolves with the status written when the work is done (the lock is released by then). */
  done: Promise<UpdateStatus>;
}

/**
 * Starts `command`: refuses with DispatchRefusal (64 lock held, 65, 66, 67) before any work, or
 * returns at once with the work running. The lock is held until the work has written the status.
 */
export async function startCommand(platform: Platform, updog: UpdogOperations, command: CommandType, options: RefreshOptions = {}): Promise<StartedCommand> {
  const lock = await platform.lockFile(platform.paths.updateLock, 'exclusive');
  if (!lock) throw new DispatchRefusal(64, `another update command holds ${platform.paths.updateLock}`);
  let status: UpdateStatus;
  try {
    status = (await readStatusFile(platform)) ?? (await createStatus(platform));
    preCheck(status, command);
  } catch (error) {
    lock.release();
    throw error;
  }
  return { done: finish(platform, lock, status, command, updog, options) };
}

async function createStatus(platform: Platform): Promise<UpdateStatus> {
  const status = await initialStatus(platform);
  await writeStatusFile(platform, status);
  return status;
}

async function finish(platform: Platform, lock: FileLock, status: UpdateStatus, command: CommandType, updog: UpdogOperations, options: RefreshOptions): Promise<UpdateStatus> {
  try {
    await execute(platform, status, command, updog, options);
    await writeStatusFile(platform, status);
    return status;
  } finally {
    lock.release();
  }
}

/**
 * `GET /updates/status` (api.md 8.1): a shared lock (refused while a command holds the exclusive
 * one), then the status file. Throws BrktError `locked` or `not-found`.
 */
export async function readStatus(platform: Platform): Promise<UpdateStatus> {
  const lock = await platform.lockFile(platform.paths.updateLock, 'shared');
  if (!lock) throw new BrktError('locked', `Unable to obtain shared lock for reading update status: an update command holds ${platform.paths.updateLock}`);
  try {
    const status = await readStatusFile(platform);
    if (!status) throw new BrktError('not-found', 'Update status is uninitialized, refresh-updates to initialize it');
    return status;
  } finally {
    lock.release();
  }
}

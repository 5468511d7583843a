// The update and reboot actions the API server serves (api.md 8, updates.md 6.6): the
// dispatcher behind `UpdateActions`, with upstream's HTTP statuses and messages.
import { ApiError } from '../api/api-error';
import type { RebootAction, UpdateActions } from '../api/updates';
import { requestReboot } from '../bootloader/reboot';
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';
import { readStatus, startCommand } from './dispatcher';
import { DispatchRefusal, REFUSALS } from './state-machine';
import { inProcessUpdog, type UpdogOperations } from './updog-operations';

export interface UpdateActionsOptions {
  /** How updog's work is done; in-process by default. */
  updog?: UpdogOperations;
  /** Told about a command's failure to write its status (nobody waits for the work). */
  onBackgroundError?(error: unknown): void;
}

/** `UpdateActions` for the API server: status with a shared lock, actions answered at once. */
export function makeUpdateActions(platform: Platform, options: UpdateActionsOptions = {}): UpdateActions {
  const updog = options.updog ?? inProcessUpdog(platform, { tmpdir: platform.env('TMPDIR') });
  return {
    async status() {
      try {
        return await readStatus(platform);
      } catch (error) {
        if (error instanceof BrktError && error.code === 'locked') throw new ApiError(423, error.message);
        if (error instanceof BrktError && error.code === 'not-found') throw new ApiError(404, error.message);
        throw new ApiError(500, `Update dispatcher failed: ${messageOf(error)}`);
      }
    },
    async run(action) {
      let started;
      try {
        started = await startCommand(platform, updog, action);
      } catch (error) {
        if (error instanceof DispatchRefusal) throw new ApiError(REFUSALS[error.exitCode].status, REFUSALS[error.exitCode].message);
        throw new ApiError(500, `Update dispatcher failed: ${messageOf(error)}`);
      }
      // 204 now; completion shows in most_recent_command (the status is written even on failure).
      started.done.catch(error => options.onBackgroundError?.(error));
    },
  };
}

/** `POST /actions/reboot`: the host's reboot, or the sandbox bootloader (cli.md `brkt reboot`). */
export function makeRebootAction(platform: Platform): RebootAction {
  return async () => {
    try {
      await requestReboot(platform);
    } catch (error) {
      throw new ApiError(500, `Failed to reboot: ${messageOf(error)}`);
    }
  };
}

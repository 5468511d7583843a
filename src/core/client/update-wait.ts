// apiclient's synchronous wrapper around the asynchronous update actions (apiclient.md 6.1):
// POST the action, then poll /updates/status until the command it started has finished.
import { BrktError, messageOf } from '../errors';
import type { ApiClient } from './api-client';

export interface UpdateAction {
  path: string;
  cmdName: 'refresh' | 'prepare' | 'activate' | 'deactivate';
  intervalMs: number;
  maxAttempts: number;
}

export const UPDATE_ACTIONS = {
  check: { path: '/actions/refresh-updates', cmdName: 'refresh', intervalMs: 100, maxAttempts: 100 },
  prepare: { path: '/actions/prepare-update', cmdName: 'prepare', intervalMs: 500, maxAttempts: 1200 },
  activate: { path: '/actions/activate-update', cmdName: 'activate', intervalMs: 100, maxAttempts: 50 },
  cancel: { path: '/actions/deactivate-update', cmdName: 'deactivate', intervalMs: 100, maxAttempts: 50 },
} as const satisfies Record<string, UpdateAction>;

interface CommandRecord {
  cmd_type?: string;
  cmd_status?: string;
  timestamp?: string;
  exit_status?: unknown;
  stderr?: string;
}

export interface WaitHooks {
  sleep(ms: number): Promise<void>;
  log(message: string): void;
}

/** Returns the status body once the action's command is seen finished with a new timestamp. */
export async function waitForAction(client: ApiClient, action: UpdateAction, hooks: WaitHooks): Promise<string> {
  const initial = await client.raw('GET', '/updates/status');
  let before = 'first call';
  if (initial.status >= 200 && initial.status < 300) {
    before = parseStatus(initial.body)?.most_recent_command?.timestamp ?? 'first call';
  } else if (initial.status !== 404) {
    throw new BrktError('io', `Unable to check initial update status, got code '${initial.status}': ${initial.body}`);
  }

  try {
    await client.checked('POST', action.path);
  } catch (error) {
    throw new BrktError(error instanceof BrktError ? error.code : 'io', `Failed to make ${action.cmdName} request: ${messageOf(error)}`);
  }

  let attempt = 0;
  let failures = 0;
  let sinceLog = 0;
  for (;;) {
    attempt++;
    if (attempt >= action.maxAttempts) {
      const seconds = (action.intervalMs * action.maxAttempts) / 1000;
      throw new BrktError('io', `Timed out after waiting ${seconds} seconds after POST to ${action.path}, unsure of result`);
    }
    if (failures >= 5) throw new BrktError('io', `Failed to check status 5 times after POST to ${action.path}, unsure of result`);
    sinceLog += action.intervalMs;
    if (sinceLog >= 5000) {
      sinceLog = 0;
      hooks.log(`Still waiting for ${action.cmdName} to finish...`);
    }
    await hooks.sleep(action.intervalMs);

    let reply;
    try {
      reply = await client.raw('GET', '/updates/status');
    } catch {
      failures++;
      continue;
    }
    if (reply.status === 423) continue; // the dispatcher still holds its lock: not a failure
    if (reply.status < 200 || reply.status > 299) {
      failures++;
      continue;
    }
    const command = parseStatus(reply.body)?.most_recent_command;
    if (command?.cmd_type !== action.cmdName || command.timestamp === before) continue;
    if (command.cmd_status === 'Success') return reply.body;
    // Quirk (apiclient): upstream reads exit_status as a string, so it always shows -1.
    throw new BrktError('io', `${action.cmdName} attempt failed with status '${command.cmd_status}' (-1): ${command.stderr ?? '<missing>'}`);
  }
}

function parseStatus(body: string): { most_recent_command?: CommandRecord; update_state?: string } | undefined {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

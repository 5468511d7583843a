// The update API's status document (updates.md 6.5): its shape and member order, the initial
// status, and the status file under run/. Mirrors thar-be-updates' status.rs.
import { BrktError, messageOf } from '../errors';
import { readBootRecord } from '../bootloader/boot-record';
import { firstFailure, readHealthRecord } from '../boot-health/record';
import { nextSet } from '../signpost/operations';
import { loadPartitionState } from '../signpost/state';
import { runningImage } from '../updates/updog-session';
import type { Platform } from '../../platform/types';

export type UpdateState = 'Idle' | 'Available' | 'Staged' | 'Ready';
export type CommandType = 'refresh' | 'prepare' | 'activate' | 'deactivate';

export interface UpdateImage {
  arch: string;
  version: string;
  variant: string;
}

export interface StagedImage {
  image: UpdateImage;
  next_to_boot: boolean;
}

export interface CommandResult {
  cmd_type: CommandType;
  cmd_status: 'Success' | 'Failed' | 'Unknown';
  /** RFC 3339, UTC, nanoseconds. */
  timestamp: string;
  exit_status: number;
  stderr: string;
}

/** brkt: the last boot of a new version that failed its boot-health checks (and was rolled back). */
export interface BootHealthFailure {
  version: string;
  /** The partition set that version was on. */
  set: string;
  /** The first check that did not pass, in name order. */
  check: string;
  outcome: 'failed' | 'timed-out';
  /** null when the check was killed at its deadline or had no command. */
  exit_status: number | null;
  /** RFC 3339: when the checks started. */
  timestamp: string;
}

/** Members in upstream's order: the API and the file serialise them in this order. */
export interface UpdateStatus {
  update_state: UpdateState;
  available_updates: string[];
  chosen_update: UpdateImage | null;
  active_partition: StagedImage;
  staging_partition: StagedImage | null;
  most_recent_command: CommandResult | null;
  /**
   * brkt's addition, after upstream's members; only present when a boot failed its checks, so
   * with no boot-health checks the document is exactly upstream's.
   */
  boot_health_failure?: BootHealthFailure;
}

const STATES: readonly UpdateState[] = ['Idle', 'Available', 'Staged', 'Ready'];

/** A copy with members in upstream's order (a parsed file may have had any order). */
export function orderedStatus(status: UpdateStatus): UpdateStatus {
  const image = (i: UpdateImage): UpdateImage => ({ arch: i.arch, version: i.version, variant: i.variant });
  const staged = (s: StagedImage): StagedImage => ({ image: image(s.image), next_to_boot: s.next_to_boot });
  const command = status.most_recent_command;
  return {
    update_state: status.update_state,
    available_updates: [...status.available_updates],
    chosen_update: status.chosen_update && image(status.chosen_update),
    active_partition: staged(status.active_partition),
    staging_partition: status.staging_partition && staged(status.staging_partition),
    most_recent_command: command && {
      cmd_type: command.cmd_type,
      cmd_status: command.cmd_status,
      timestamp: command.timestamp,
      exit_status: command.exit_status,
      stderr: command.stderr,
    },
    ...(status.boot_health_failure ? { boot_health_failure: { ...status.boot_health_failure } } : {}),
  };
}

/** Checks the shape of a parsed status file; throws on anything else. */
export function parseStatus(text: string, path: string): UpdateStatus {
  const bad = (why: string): never => {
    throw new BrktError('invalid-input', `Failed to parse the update status ${path}: ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return bad(messageOf(error));
  }
  const status = value as UpdateStatus;
  if (typeof status !== 'object' || status === null) return bad('not an object');
  if (!STATES.includes(status.update_state)) bad(`unknown update_state ${JSON.stringify(status.update_state)}`);
  if (!Array.isArray(status.available_updates)) bad('available_updates is not an array');
  if (typeof status.active_partition?.image?.version !== 'string') bad('active_partition is missing');
  if (status.staging_partition !== null && typeof status.staging_partition?.image?.version !== 'string') bad('staging_partition is malformed');
  if (status.chosen_update !== null && typeof status.chosen_update?.version !== 'string') bad('chosen_update is malformed');
  if (status.most_recent_command !== null && typeof status.most_recent_command?.timestamp !== 'string') bad('most_recent_command is malformed');
  if (status.boot_health_failure !== undefined && typeof status.boot_health_failure?.check !== 'string') bad('boot_health_failure is malformed');
  return orderedStatus(status);
}

/**
 * updates.md 6.5 initial status: Idle, the running image, and whether it boots next (signpost's
 * active set equals its next set; no set booting next is an error, as upstream).
 */
export async function initialStatus(platform: Platform): Promise<UpdateStatus> {
  const image = await runningImage(platform);
  const state = await loadPartitionState(platform);
  const next = nextSet(state);
  const failure = await bootHealthFailure(platform);
  if (!next) throw new BrktError('gpt', `Failed to create the update status: no partition set of ${state.disk} will boot next`);
  return {
    update_state: 'Idle',
    available_updates: [],
    chosen_update: null,
    active_partition: { image: { arch: image.arch, version: image.current.text, variant: image.variant }, next_to_boot: next === state.active },
    staging_partition: null,
    most_recent_command: null,
    ...(failure ? { boot_health_failure: failure } : {}),
  };
}

/** The last boot-health judgement when it failed (kept across reboots, unlike this status). */
async function bootHealthFailure(platform: Platform): Promise<BootHealthFailure | undefined> {
  const record = await readHealthRecord(platform);
  const failed = record && firstFailure(record);
  if (!record || !failed || failed.outcome === 'passed') return undefined;
  return { version: record.version, set: record.set, check: failed.name, outcome: failed.outcome, exit_status: failed.exitStatus, timestamp: record.startedAt };
}

/**
 * The status file, or undefined when there is none. On a host it lives on a tmpfs and a reboot
 * clears it; a sandbox's run/ survives `brkt reboot`, so a file older than the sandbox's last
 * boot counts as absent (and is removed), as after a real reboot.
 */
export async function readStatusFile(platform: Platform): Promise<UpdateStatus | undefined> {
  const path = platform.paths.updateStatus;
  const text = await platform.files.readTextIfExists(path);
  if (text === undefined) return undefined;
  if (platform.kind === 'sandbox' && (await olderThanLastBoot(platform, path))) {
    await platform.files.remove(path);
    return undefined;
  }
  return parseStatus(text, path);
}

async function olderThanLastBoot(platform: Platform, path: string): Promise<boolean> {
  const record = await readBootRecord(platform);
  const info = await platform.files.info(path);
  const bootedAt = record ? Date.parse(record.bootedAt) : NaN;
  return info !== undefined && Number.isFinite(bootedAt) && info.mtimeMs < bootedAt;
}

/** Pretty JSON, written atomically (temp file in the same directory, then rename). */
export async function writeStatusFile(platform: Platform, status: UpdateStatus): Promise<void> {
  await platform.files.writeAtomic(platform.paths.updateStatus, JSON.stringify(orderedStatus(status), null, 2) + '\n');
}

/**
 * RFC 3339 with nanoseconds, strictly after `previous`: clients wait for the timestamp to change,
 * so two commands in the same millisecond must still differ.
 */
export function commandTimestamp(now: Date, previous?: string): string {
  const base = now.toISOString().replace(/Z$/, '');
  let stamp = `${base}000000Z`;
  if (previous && stamp <= previous && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(previous)) {
    // Same millisecond (or a clock step back): one nanosecond after the previous one.
    const nanos = BigInt(previous.slice(20, 29)) + 1n;
    stamp = nanos < 1_000_000_000n ? `${previous.slice(0, 20)}${nanos.toString().padStart(9, '0')}Z` : stamp;
  }
  return stamp;
}

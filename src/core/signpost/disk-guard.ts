// The one way to write the OS disk after boot: its partition table (signpost's operations,
// update flags, rollback, mark-successful-boot) and partition contents (update images). Every
// write first asks which set is running — at that moment, not when the caller looked — and is
// refused when it would write that set beyond what its operation may change. Only the boot
// stage (the sandbox bootloader, which runs before any set does) writes around it.
import { BrktError } from '../errors';
import { priority, setPriority, setSuccessful, setTries, successful, tries } from '../gpt/attributes';
import { readGpt } from '../gpt/read';
import type { GptTable } from '../gpt/table';
import { writeGpt } from '../gpt/write';
import type { DeviceHandle, Platform } from '../../platform/types';
import { resolveActiveSet } from './active-set';
import { findSets, partitionLocation, type DiskSets, type PartitionRef, type SetName } from './sets';

/**
 * What an operation may change on the running set's BOOT entry: nothing (clear-inactive,
 * mark-inactive-valid, images), lower its priority (upgrade-to-inactive, rollback-to-inactive:
 * the other set goes first), raise it (cancel-upgrade), or set successful (mark-successful-boot).
 */
export type RunningSetChange = 'none' | 'lower-priority' | 'raise-priority' | 'mark-successful';

const declared = new WeakMap<object, RunningSetChange>();

/** Records what `operation` may change on the running set; undeclared operations may change nothing. */
export function declareRunningSetChange<T extends object>(operation: T, change: RunningSetChange): T {
  declared.set(operation, change);
  return operation;
}

export const runningSetChangeOf = (operation: object): RunningSetChange => declared.get(operation) ?? 'none';

/** The sets of a table, partitions named as the platform names them (device nodes or `<image>pN`). */
export async function setsOf(platform: Platform, disk: string, table: GptTable): Promise<DiskSets> {
  const paths = new Map<number, string>();
  for (const entry of table.entries) {
    if (entry.typeGuid === '00000000-0000-0000-0000-000000000000') continue;
    const path = await platform.partitionPath(disk, entry.index + 1);
    if (path) paths.set(entry.index + 1, path);
  }
  return findSets(table, number => {
    const path = paths.get(number);
    if (!path) throw new BrktError('gpt', `Failed to find partition ${number} of ${disk} in sysfs`);
    return path;
  });
}

const OTHER_BITS = (a: bigint) => setSuccessful(setTries(setPriority(a, 0), 0), false);
const membersOf = (sets: DiskSets, name: SetName) => [sets[name]!.boot, sets[name]!.root, sets[name]!.hash];

/** Why writing `next` over `current` would write the running set `running`, or nothing. */
export function runningSetWriteProblems(current: GptTable, next: GptTable, sets: DiskSets, running: SetName, allowed: RunningSetChange): string[] {
  const problems: string[] = [];
  for (const ref of membersOf(sets, running)) {
    const a = current.entries[ref.index]!;
    const b = next.entries[ref.index];
    if (!b || a.typeGuid !== b.typeGuid || a.partGuid !== b.partGuid || a.firstLba !== b.firstLba || a.lastLba !== b.lastLba || a.name !== b.name) {
      problems.push(`partition ${ref.number} would move or change identity`);
    } else if (ref !== sets[running]!.boot && a.attributes !== b.attributes) {
      problems.push(`the attributes of partition ${ref.number} would change`);
    }
  }
  const was = current.entries[sets[running]!.boot.index]!.attributes;
  const will = next.entries[sets[running]!.boot.index]?.attributes ?? 0n;
  if (OTHER_BITS(was) !== OTHER_BITS(will)) problems.push('bits other than its boot flags would change');
  if (tries(was) !== tries(will)) problems.push(`its tries would change from ${tries(was)} to ${tries(will)}`);
  if (successful(was) && !successful(will)) problems.push('its successful flag would be cleared');
  if (!successful(was) && successful(will) && allowed !== 'mark-successful') problems.push('it would be marked successful by an operation that does not mark boots');
  if (priority(will) === 0 && priority(was) !== 0) problems.push('its priority would become 0 (it could no longer boot)');
  else if (priority(will) < priority(was) && allowed !== 'lower-priority') problems.push(`its priority would drop from ${priority(was)} to ${priority(will)}`);
  else if (priority(will) > priority(was) && allowed !== 'raise-priority') problems.push(`its priority would rise from ${priority(was)} to ${priority(will)}`);
  // Only the bootloader knows a set boots; marking any other set successful is the bug of a
  // wrong running set (a set that failed its try would boot forever).
  for (const name of ['A', 'B'] as const) {
    const set = sets[name];
    if (!set || name === running) continue;
    const before = current.entries[set.boot.index]!.attributes;
    const after = next.entries[set.boot.index]?.attributes ?? 0n;
    if (!successful(before) && successful(after)) problems.push(`set ${name} would be marked successful, but set ${running} is running`);
  }
  return problems;
}

/** The OS disk opened for writing; `close()` when done. */
export interface OsDiskWriter {
  readonly disk: string;
  readonly handle: DeviceHandle;
  /** The table, its sets and the running set, read now. */
  read(): Promise<{ table: GptTable; sets: DiskSets; active: SetName }>;
  /** Writes `table` (both copies) when it leaves the running set as `allowed` says. */
  writeTable(table: GptTable, allowed: RunningSetChange): Promise<void>;
  /** A partition opened for writing; a partition of the running set is refused. */
  openPartition(table: GptTable, ref: PartitionRef): Promise<DeviceHandle>;
  close(): Promise<void>;
}

/** Opens the OS disk; a missing disk is one line (a sandbox's default disk says what makes it). */
export async function openOsDisk(platform: Platform, disk: string, mode: 'r' | 'r+'): Promise<DeviceHandle> {
  try {
    return await platform.openDisk(disk, mode);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const reason = missing ? 'it does not exist' : (error as Error).message;
    const hint = missing && disk === platform.paths.disk ? ' (brkt dev init creates it)' : '';
    throw new BrktError('gpt', `Failed to open the OS disk ${disk} for ${mode === 'r' ? 'reading' : 'writing'}: ${reason}${hint}`, { cause: error });
  }
}

export async function openOsDiskWriter(platform: Platform): Promise<OsDiskWriter> {
  const disk = await platform.osDisk();
  const handle = await openOsDisk(platform, disk, 'r+');
  const read = async () => {
    const table = await readGpt(handle, disk);
    const sets = await setsOf(platform, disk, table);
    return { table, sets, active: await resolveActiveSet(platform, disk, table, sets) };
  };
  return {
    disk,
    handle,
    read,
    async writeTable(table, allowed) {
      const now = await read();
      const problems = runningSetWriteProblems(now.table, table, now.sets, now.active, allowed);
      if (problems.length) throw new BrktError('conflict', `Refusing to write the running partition set ${now.active} of ${disk}: ${problems.join('; ')}`);
      await writeGpt(handle, table);
    },
    async openPartition(table, ref) {
      const now = await read();
      if (membersOf(now.sets, now.active).some(member => member.number === ref.number)) {
        throw new BrktError('conflict', `Refusing to write partition ${ref.number} (${ref.path}) of ${disk}: it belongs to the running partition set ${now.active}`);
      }
      try {
        return await platform.openPartition(disk, partitionLocation(table, ref), 'r+');
      } catch (error) {
        throw new BrktError('io', `Failed to open partition ${ref.path} for writing: ${(error as Error).message}`, { cause: error });
      }
    },
    close: () => handle.close(),
  };
}

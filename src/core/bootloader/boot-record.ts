// The sandbox's boot record: which set the sandbox bootloader last booted, on which disk, and
// the version found there. A sandbox's running set is read from it (cli.md).
import type { Platform } from '../../platform/types';
import type { SetName } from '../signpost/sets';

export interface BootRecord {
  set: SetName;
  version: string;
  /** The OS disk it applies to, and that disk's GUID: a record for another disk is ignored. */
  disk: string;
  diskGuid: string;
  bootedAt: string;
}

export async function readBootRecord(platform: Platform): Promise<BootRecord | undefined> {
  const text = await platform.files.readTextIfExists(platform.paths.bootRecord);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as BootRecord;
    return record.set === 'A' || record.set === 'B' ? record : undefined;
  } catch {
    return undefined; // a torn or hand-edited record counts as none: the bootloader's choice applies
  }
}

export async function writeBootRecord(platform: Platform, record: BootRecord): Promise<void> {
  await platform.files.writeAtomic(platform.paths.bootRecord, JSON.stringify(record, null, 2) + '\n');
}

/** The record when it belongs to this disk (same path and disk GUID). */
export async function bootRecordFor(platform: Platform, disk: string, diskGuid: string): Promise<BootRecord | undefined> {
  const record = await readBootRecord(platform);
  return record && record.disk === disk && record.diskGuid === diskGuid ? record : undefined;
}

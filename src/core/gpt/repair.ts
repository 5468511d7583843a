// `signpost repair-table` (a brkt addition): rebuilds a damaged copy of the GPT from the good one.
// The only code path that writes a table whose primary copy failed validation.
import { BrktError } from '../errors';
import type { DeviceHandle } from '../../platform/types';
import { readBothCopies } from './read';
import { writeGpt } from './write';

export type RepairResult = { repaired: 'nothing' | 'primary' | 'backup'; problem?: string };

/** Rewrites both copies from the valid one; fails, writing nothing, when neither is valid. */
export async function repairGpt(disk: DeviceHandle, device: string): Promise<RepairResult> {
  const { primary, backup } = await readBothCopies(disk, device);
  if (primary.table && backup.table) return { repaired: 'nothing' };
  if (primary.table) {
    await writeGpt(disk, primary.table);
    return { repaired: 'backup', problem: backup.problem };
  }
  if (backup.table) {
    await writeGpt(disk, { ...backup.table, primaryEntriesLba: 2n }, { repair: true });
    return { repaired: 'primary', problem: primary.problem };
  }
  throw new BrktError('gpt', `Cannot repair the GPT on ${device}: ${primary.problem}; ${backup.problem}`);
}

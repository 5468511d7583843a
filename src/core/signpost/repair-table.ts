// `signpost repair-table` (brkt): the one explicit way to rebuild a damaged GPT copy on the OS disk.
import { BrktError } from '../errors';
import { repairGpt, type RepairResult } from '../gpt/repair';
import type { Platform } from '../../platform/types';

export async function repairOsDiskTable(platform: Platform): Promise<RepairResult & { disk: string }> {
  const disk = await platform.osDisk();
  let handle;
  try {
    handle = await platform.openDisk(disk, 'r+');
  } catch (error) {
    throw new BrktError('gpt', `Failed to open the OS disk ${disk} for writing: ${(error as Error).message}`, { cause: error });
  }
  try {
    return { disk, ...(await repairGpt(handle, disk)) };
  } finally {
    await handle.close();
  }
}

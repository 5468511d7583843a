// How the bootloader picks a set (signpost.md 6, GRUB's gptprio.next): the first BOOT entry with
// the strictly highest priority among those with priority > 0 and tries left or successful.
import { priority, successful, tries } from '../gpt/attributes';
import type { GptTable } from '../gpt/table';
import type { DiskSets, SetName } from '../signpost/sets';

/** GRUB's eligibility; unlike signpost's willBoot, priority 0 never boots. */
export const grubEligible = (a: bigint) => priority(a) > 0 && (tries(a) > 0 || successful(a));

/** The set GRUB chooses now, skipping `excluded` sets; undefined when none is eligible. */
export function grubChoice(table: GptTable, sets: DiskSets, excluded: ReadonlySet<SetName> = new Set()): SetName | undefined {
  let best: SetName | undefined;
  let bestPriority = 0;
  // Set A's BOOT entry comes first in table order, so ties go to A.
  for (const name of ['A', 'B'] as const) {
    const set = sets[name];
    if (!set || excluded.has(name)) continue;
    const a = table.entries[set.boot.index]!.attributes;
    if (grubEligible(a) && priority(a) > bestPriority) {
      best = name;
      bestPriority = priority(a);
    }
  }
  return best;
}

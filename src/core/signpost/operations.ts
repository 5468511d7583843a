// The signpost commands as state transitions (signpost.md 4 and 7). Each checks its
// preconditions before changing anything, so a refused command writes nothing.
// Mirrors signpost's state.rs (clear_inactive, upgrade_to_inactive, ...).
import { BrktError } from '../errors';
import {
  everBooted, flagsOf, priority, setEverBooted, setPriority, setSuccessful, setTries, successful, tries, willBoot,
} from '../gpt/attributes';
import { attributesOf, setAttributes, type PartitionState } from './state';
import type { PartitionRef, SetName } from './sets';
import { declareRunningSetChange } from './disk-guard';

const other = (name: SetName): SetName => (name === 'A' ? 'B' : 'A');

/** Boot partitions of the active and inactive sets; "needs inactive" fails on single-set disks. */
function activeAndInactive(state: PartitionState): { act: PartitionRef; ina: PartitionRef } {
  const inactive = state.sets[other(state.active)];
  if (!state.sets.B || !inactive) {
    throw new BrktError('not-found', `Inactive partition not available: ${state.disk} has a single partition set`);
  }
  return { act: state.sets[state.active]!.boot, ina: inactive.boot };
}

const change = (state: PartitionState, ref: PartitionRef, edit: (a: bigint) => bigint) => setAttributes(state, ref, edit(attributesOf(state, ref)));

/** `ina := (0, 0, 0)`: the inactive set can no longer be chosen while images are written. */
export function clearInactive(state: PartitionState): void {
  const { ina } = activeAndInactive(state);
  change(state, ina, a => setSuccessful(setTries(setPriority(a, 0), 0), false));
}

/** `ina.t := 1`: the images on the inactive set are complete. */
export function markInactiveValid(state: PartitionState): void {
  const { ina } = activeAndInactive(state);
  change(state, ina, a => setTries(a, 1));
}

/** `ina.p := 2, ina.s := 0; act.p := 1`: boot the inactive set next, once. */
export function upgradeToInactive(state: PartitionState): void {
  const { act, ina } = activeAndInactive(state);
  const a = attributesOf(state, ina);
  if (priority(a) !== 0 || successful(a)) throw new BrktError('conflict', `Inactive partition ${ina.path} is already marked for upgrade`);
  if (tries(a) === 0) throw new BrktError('conflict', `Inactive partition ${ina.path} has not been marked valid for upgrade`);
  change(state, ina, x => setSuccessful(setPriority(x, 2), false));
  change(state, act, x => setPriority(x, 1));
}

/** `ina.p := 0; act.p := 2`: undo upgrade-to-inactive; tries and successful stay. */
export function cancelUpgrade(state: PartitionState): void {
  const { act, ina } = activeAndInactive(state);
  change(state, ina, x => setPriority(x, 0));
  change(state, act, x => setPriority(x, 2));
}

/** `ina.p := 2; act.p := 1` when signpost's willBoot(ina) holds (Quirk: priority 0 + successful counts). */
export function rollbackToInactive(state: PartitionState): void {
  const { act, ina } = activeAndInactive(state);
  const a = attributesOf(state, ina);
  if (!willBoot(a)) {
    const f = flagsOf(a);
    throw new BrktError('conflict', `Inactive partition ${ina.path} is not valid to roll back to (priority=${f.priority} tries_left=${f.triesLeft} successful=${f.successful})`);
  }
  change(state, ina, x => setPriority(x, 2));
  change(state, act, x => setPriority(x, 1));
}

/** `act.s := 1` and the PRIVATE partition's "boot has ever succeeded" bit; single-set disks too. */
export function markSuccessfulBoot(state: PartitionState): void {
  change(state, state.sets[state.active]!.boot, a => setSuccessful(a, true));
  change(state, state.sets.private, a => setEverBooted(a, true));
}

// What each operation may do to the running set; the disk guard refuses anything else.
declareRunningSetChange(upgradeToInactive, 'lower-priority');
declareRunningSetChange(rollbackToInactive, 'lower-priority');
declareRunningSetChange(cancelUpgrade, 'raise-priority');
declareRunningSetChange(markSuccessfulBoot, 'mark-successful');

export const hasBootEverSucceeded = (state: PartitionState) => everBooted(attributesOf(state, state.sets.private));

/** The set signpost predicts the bootloader will choose (signpost.md 3 `next()`), or undefined. */
export function nextSet(state: PartitionState): SetName | undefined {
  const a = attributesOf(state, state.sets.A.boot);
  if (!state.sets.B) return willBoot(a) ? 'A' : undefined;
  const b = attributesOf(state, state.sets.B.boot);
  if (willBoot(a) && willBoot(b)) return priority(a) >= priority(b) ? 'A' : 'B';
  if (willBoot(a)) return 'A';
  if (willBoot(b)) return 'B';
  return undefined;
}

/** The commands of signpost.md 4 that change the table, by name. */
export const MUTATIONS = {
  'clear-inactive': clearInactive,
  'mark-inactive-valid': markInactiveValid,
  'upgrade-to-inactive': upgradeToInactive,
  'cancel-upgrade': cancelUpgrade,
  'rollback-to-inactive': rollbackToInactive,
  'mark-successful-boot': markSuccessfulBoot,
  'rewrite-table': (_state: PartitionState) => {},
} as const;
export type MutationName = keyof typeof MUTATIONS;

// `signpost status` output (signpost.md 5, with its path-column Quirk) and brkt's `--json` form.
import { flagsOf, type BootFlags } from '../gpt/attributes';
import { attributesOf, type PartitionState } from './state';
import { hasBootEverSucceeded, nextSet } from './operations';
import type { PartitionSet, SetName } from './sets';

const pathsOf = (set: PartitionSet) => `boot=${set.boot.path} root=${set.root.path} hash=${set.hash.path}`;
const flagsText = (f: BootFlags) => `priority=${f.priority} tries_left=${f.triesLeft} successful=${f.successful}`;

/** Upstream's text, byte for byte: the path columns follow active/inactive, the flags A/B (Quirk). */
export function formatStatus(state: PartitionState): string {
  const { A, B } = state.sets;
  const activeSet = state.sets[state.active]!;
  const inactiveSet = state.active === 'A' ? B : A;
  const lines = [`OS disk: ${state.disk}`, `Set A:   ${pathsOf(activeSet)} ${flagsText(flagsOf(attributesOf(state, A.boot)))}`];
  if (B && inactiveSet) lines.push(`Set B:   ${pathsOf(inactiveSet)} ${flagsText(flagsOf(attributesOf(state, B.boot)))}`);
  lines.push(`Active:  Set ${state.active}`);
  const next = nextSet(state);
  lines.push(`Next:    ${next ? `Set ${next}` : 'None'}`);
  return lines.join('\n') + '\n';
}

export interface SetStatus extends BootFlags {
  boot: string;
  root: string;
  hash: string;
}

export interface StatusJson {
  disk: string;
  active: SetName;
  next: SetName | null;
  sets: { A: SetStatus; B: SetStatus | null };
  bootEverSucceeded: boolean;
}

/** The same facts as JSON, each set with its own paths (no column swap). */
export function statusJson(state: PartitionState): StatusJson {
  const setStatus = (set: PartitionSet): SetStatus => ({
    boot: set.boot.path,
    root: set.root.path,
    hash: set.hash.path,
    ...flagsOf(attributesOf(state, set.boot)),
  });
  return {
    disk: state.disk,
    active: state.active,
    next: nextSet(state) ?? null,
    sets: { A: setStatus(state.sets.A), B: state.sets.B ? setStatus(state.sets.B) : null },
    bootEverSucceeded: hasBootEverSucceeded(state),
  };
}

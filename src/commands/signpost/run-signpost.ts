// signpost's own command line (signpost.md 4): only the first argument counts, a missing or
// unknown command prints the usage on stderr with exit 1, every failure exits 1. As
// `brkt signpost`, `status --json` prints JSON and errors carry the program name.
import { BrktError } from '../../core/errors';
import { hasBootEverSucceeded, MUTATIONS, type MutationName } from '../../core/signpost/operations';
import { loadPartitionState, updatePartitionState } from '../../core/signpost/state';
import { formatStatus, statusJson } from '../../core/signpost/status';
import { repairOsDiskTable } from '../../core/signpost/repair-table';
import type { Platform } from '../../platform/types';
import { writeErr, writeOut } from '../output';
import { oneLine } from '../report';

/** Subcommands and their usage lines, in upstream's order; `repair-table` is brkt's addition. */
export const SIGNPOST_COMMANDS: Array<[string, string]> = [
  ['status', 'Show partition sets and priority status'],
  ['mark-successful-boot', 'Mark the active partitions as successfully booted'],
  ['clear-inactive', 'Clears inactive priority information to prepare writing images to disk'],
  ['mark-inactive-valid', 'Marks the inactive partition as having a valid image'],
  ['upgrade-to-inactive', 'Sets the inactive partitions as new upgrade partitions if marked valid'],
  ['cancel-upgrade', 'Reverse upgrade-to-inactive'],
  ['rollback-to-inactive', 'Deprioritizes the inactive partitions'],
  ['has-boot-ever-succeeded', 'Checks whether boot has ever succeeded'],
  ['rewrite-table', 'Rewrite the partition table with no changes to disk (used for testing this code)'],
  ['repair-table', 'Restore a damaged copy of the partition table from the valid one (brkt)'],
];

export function signpostUsage(shown: string): string {
  const width = Math.max(...SIGNPOST_COMMANDS.map(([name]) => name.length)) + 1;
  return ['USAGE:', `    ${shown} <SUBCOMMAND>`, '', 'SUBCOMMANDS:', ...SIGNPOST_COMMANDS.map(([name, text]) => `    ${name.padEnd(width)}${text}`), ''].join('\n');
}

/**
 * The fast path of both names. As `brkt signpost`, help and unknown commands are brkt's (its
 * group help, exit 0 or 2); `undefined` leaves them to the clipanion definitions.
 */
export async function runSignpostLean(args: string[], io: { shown: string; platform: Platform }): Promise<number | undefined> {
  const asBrkt = io.shown !== 'signpost';
  const known = SIGNPOST_COMMANDS.some(([name]) => name === args[0]);
  if (asBrkt && (!known || args.includes('--help') || args.includes('-h'))) return undefined;
  return runSignpost(args, io);
}

/** Runs one signpost command; returns the exit code. */
export async function runSignpost(args: string[], io: { shown: string; platform: Platform }): Promise<number> {
  const [command, ...rest] = args;
  if (!command || !SIGNPOST_COMMANDS.some(([name]) => name === command)) {
    writeErr(signpostUsage(io.shown));
    return 1;
  }
  const asBrkt = io.shown !== 'signpost';
  try {
    await runCommand(command, asBrkt && rest.includes('--json'), io.platform, asBrkt ? io.shown : undefined);
    return 0;
  } catch (error) {
    if (!(error instanceof BrktError)) throw error;
    // Upstream prints the bare message; brkt's form names the program as every brkt command does.
    writeErr(`${asBrkt ? `${io.shown}: ` : ''}${oneLine(error.message)}\n`);
    return 1;
  }
}

async function runCommand(command: string, json: boolean, platform: Platform, warn?: string): Promise<void> {
  if (command === 'status') {
    const state = await loadPartitionState(platform);
    if (warn && state.table.source === 'backup') {
      writeErr(`${warn}: warning: read ${state.disk} from its backup GPT (${state.table.primaryDamage}); 'brkt signpost repair-table' repairs it\n`);
    }
    writeOut(json ? JSON.stringify(statusJson(state), null, 2) + '\n' : formatStatus(state));
  } else if (command === 'has-boot-ever-succeeded') {
    if (hasBootEverSucceeded(await loadPartitionState(platform))) writeOut('true\n');
  } else if (command === 'repair-table') {
    const result = await repairOsDiskTable(platform);
    writeOut(result.repaired === 'nothing'
      ? `Both copies of the GPT on ${result.disk} are valid; nothing to repair\n`
      : `Repaired the ${result.repaired} GPT copy on ${result.disk} from the other copy (it had: ${result.problem})\n`);
  } else {
    await updatePartitionState(platform, MUTATIONS[command as MutationName]);
  }
}

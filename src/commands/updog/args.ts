// updog's argument scanner (updates.md 5.1): left to right, flags before or after the one
// subcommand, every usage error exits 1 with the usage text. Kept pure for table tests.
import { tryParseVersion, type Version } from '../../core/updates/version';

export const UPDOG_SUBCOMMANDS = ['check-update', 'whats', 'update', 'update-image', 'update-apply', 'update-revert', 'prepare'] as const;
export type UpdogSubcommand = (typeof UPDOG_SUBCOMMANDS)[number];
const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'];

export interface UpdogArgs {
  subcommand: UpdogSubcommand;
  logLevel: string;
  image?: Version;
  variant?: string;
  ignoreWaves: boolean;
  json: boolean;
  reboot: boolean;
  all: boolean;
}

/** A usage error: `message` (if any) goes before the usage text. */
export class UpdogUsageError extends Error {}

export function usageText(name: string): string {
  // Upstream's text, including the `--timestamp` option its parser no longer accepts (Quirk).
  return `USAGE:
    ${name} <SUBCOMMAND> <OPTIONS>

SUBCOMMANDS:
    check-update            Show if an update is available
        [ -a | --all ]                Output all available updates, even if they're not upgrades
        [ --ignore-waves ]            Ignore release schedule when checking
                                      for a new update
    update                  Perform an update if available
        [ -i | --image version ]      Update to a specfic image version
        [ -n | --now ]                Update immediately, ignoring any release schedule
        [ -r | --reboot ]             Reboot into new update on success
    update-image            Download & write an update but do not update flags
        [ -i | --image version ]      Update to a specfic image version
        [ -n | --now ]                Update immediately, ignoring wave limits
        [ -t | --timestamp time ]     The timestamp to execute an update at
    update-apply            Update boot flags (after having called update-image)
        [ -r | --reboot ]             Reboot after updating boot flags
    update-revert           Revert actions done by 'update-apply'

GLOBAL OPTIONS:
    [ -j | --json ]               JSON-formatted output
    [ --log-level trace|debug|info|warn|error ]  Set logging verbosity
`;
}

export function parseUpdogArgs(args: string[]): UpdogArgs {
  let subcommand: string | undefined;
  const parsed: Omit<UpdogArgs, 'subcommand'> = { logLevel: 'info', ignoreWaves: false, json: false, reboot: false, all: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new UpdogUsageError(`Did not give argument to ${arg}`);
      return next;
    };
    switch (arg) {
      case '--log-level': {
        const level = value();
        if (!LOG_LEVELS.includes(level.toLowerCase())) throw new UpdogUsageError(`Invalid log level '${level}'`);
        parsed.logLevel = level.toLowerCase();
        break;
      }
      case '-i':
      case '--image': {
        const text = value();
        const version = tryParseVersion(text);
        if (!version) throw new UpdogUsageError(`Invalid image version '${text}'`);
        parsed.image = version;
        break;
      }
      case '--variant':
        parsed.variant = value();
        break;
      case '-n':
      case '--now':
      case '--ignore-waves':
        parsed.ignoreWaves = true;
        break;
      case '-j':
      case '--json':
        parsed.json = true;
        break;
      case '-r':
      case '--reboot':
        parsed.reboot = true;
        break;
      case '-a':
      case '--all':
        parsed.all = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UpdogUsageError('');
        if (subcommand !== undefined) throw new UpdogUsageError('');
        subcommand = arg;
    }
  }
  if (subcommand === undefined || !(UPDOG_SUBCOMMANDS as readonly string[]).includes(subcommand)) throw new UpdogUsageError('');
  return { subcommand: subcommand as UpdogSubcommand, ...parsed };
}

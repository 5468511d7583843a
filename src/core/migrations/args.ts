// The migrator's command line, upstream's flags processed left to right (migrations.md 5), with
// brkt's defaults taken from the root so that `brkt migrator` alone does the boot-time job.
import { BrktError } from '../errors';
import { tryParseVersion, type Version } from '../updates/version';
import { LOG_LEVELS, type LogLevel } from './migrator';

export interface MigratorArgs {
  datastorePath?: string;
  migrationDirectory?: string;
  /** A version, or `os-release` for `--migrate-to-version-from-os-release` (the default). */
  target: Version | 'os-release';
  logLevel: LogLevel;
  /** Upstream's offline TUF inputs; accepted so its unit's command line works (see README). */
  rootPath?: string;
  metadataDirectory?: string;
}

export const MIGRATOR_USAGE = `Usage: migrator [--datastore-path PATH] [--migration-directory PATH]
                [--migrate-to-version X | --migrate-to-version-from-os-release]
                [--root-path PATH] [--metadata-directory PATH]
                [--log-level trace|debug|info|warn|error]

Moves the datastore to the given OS version (default: VERSION_ID of etc/os-release) by running
the migrations that the update manifest lists between the two versions.
  --datastore-path        default: var/lib/bottlerocket/datastore/current under the root
  --migration-directory   default: var/lib/bottlerocket-migrations under the root
`;

const usage = (reason: string): never => {
  throw new BrktError('usage', reason);
};

/** `--help` is returned as `undefined`; anything upstream rejects is a `usage` error (exit 2). */
export function parseMigratorArgs(args: readonly string[]): MigratorArgs | undefined {
  const out: MigratorArgs = { target: 'os-release', logLevel: 'info' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => args[++i] ?? usage(`Did not give argument to ${arg}`);
    switch (arg) {
      case '--help':
      case '-h':
        return undefined;
      case '--datastore-path':
        out.datastorePath = value();
        break;
      case '--migration-directory':
        out.migrationDirectory = value();
        break;
      case '--root-path':
        out.rootPath = value();
        break;
      case '--metadata-directory':
        out.metadataDirectory = value();
        break;
      case '--migrate-to-version': {
        const text = value();
        // The later of the two version options wins, as upstream.
        out.target = tryParseVersion(text) ?? usage(`Invalid version '${text}' given to --migrate-to-version`);
        break;
      }
      case '--migrate-to-version-from-os-release':
        out.target = 'os-release';
        break;
      case '--log-level': {
        const text = value();
        if (!(LOG_LEVELS as readonly string[]).includes(text)) usage(`Invalid log level '${text}'`);
        out.logLevel = text as LogLevel;
        break;
      }
      default:
        usage(`Unknown argument '${arg}'`);
    }
  }
  return out;
}

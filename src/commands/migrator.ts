// `brkt migrator`: moves the datastore to the running (or given) OS version, with upstream
// migrator's flags (migrations.md 5) and brkt's defaults under the root.
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { writeErr, writeOut } from './output';
import { reportError } from './report';
import { BrktError } from '../core/errors';
import { MIGRATOR_USAGE, parseMigratorArgs } from '../core/migrations/args';
import { runningVersion } from '../core/migrations/boot-step';
import { canonicalDatastorePath } from '../core/migrations/datastore-version';
import { LOG_LEVELS, runMigrator, type LogLevel } from '../core/migrations/migrator';
import type { Platform } from '../platform/types';

export class MigratorCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Move the datastore to the running OS version by running the stored migrations',
    details: `Reads the datastore version from its link chain (current -> vX -> vX.Y -> vX.Y.Z), selects the migrations that the stored update manifest lists between that version and the target, runs each from a copy into a new v<target>_<id> directory and then re-points the version links, current last. A failing migration leaves current untouched and names the migration. Paths are host paths under the root. Exit 0 on success or when there is nothing to do (or no datastore yet), 1 when a migration fails, 2 for bad usage.`,
    examples: [
      ['Migrate to the version in etc/os-release', '$0 migrator'],
      ['Migrate a sandbox back to 1.0.0', '$0 --root ./sandbox migrator --migrate-to-version 1.0.0'],
    ],
  });
  args = Option.Proxy();

  async run() {
    return runMigratorCli(this.args, this.context.shown, this.platform);
  }
}

export const commands = [MigratorCommand];

/** Upstream's exit codes: 2 for usage, 1 for every runtime failure (including bad documents). */
const RUNTIME = { 'invalid-input': 1 } as const;

export async function runMigratorCli(args: string[], invokedAs: string, platform: Platform): Promise<number> {
  const shown = invokedAs === 'brkt' ? 'brkt migrator' : invokedAs;
  let parsed;
  try {
    parsed = parseMigratorArgs(args);
  } catch (error) {
    writeErr(`${shown}: ${(error as Error).message}\n${MIGRATOR_USAGE}`);
    return 2;
  }
  if (!parsed) {
    writeOut(MIGRATOR_USAGE);
    return 0;
  }
  const threshold = LOG_LEVELS.indexOf(parsed.logLevel);
  const log = (level: LogLevel, line: string) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const text = `[${level.toUpperCase()}] ${line}\n`;
    if (level === 'warn' || level === 'error') writeErr(text);
    else writeOut(text);
  };
  try {
    const datastorePath = platform.path(parsed.datastorePath ?? platform.paths.datastore);
    const migrationDirectory = platform.path(parsed.migrationDirectory ?? platform.paths.migrations);
    // First boot: upstream's unit names the datastore first, so this exits before os-release is read.
    if ((await canonicalDatastorePath(platform.files, datastorePath)) === undefined) {
      writeErr(`${shown}: Data store does not exist at ${datastorePath}, exiting (first boot: storewolf creates it)\n`);
      return 0;
    }
    let target = parsed.target;
    if (target === 'os-release') {
      try {
        target = await runningVersion(platform);
      } catch (error) {
        // Upstream treats an unreadable os-release like a bad argument.
        throw new BrktError('usage', (error as Error).message);
      }
    }
    await runMigrator(platform, { datastorePath, migrationDirectory, target, log });
    return 0;
  } catch (error) {
    return reportError(shown, error, RUNTIME);
  }
}

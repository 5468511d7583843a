// The migrator as a boot step: before storewolf loads defaults, move the datastore to the version
// now running (migrator.service, ordered before apiserver and storewolf upstream).
import { BrktError } from '../errors';
import { readOsRelease } from '../os-release';
import { tryParseVersion } from '../updates/version';
import { runMigrator } from './migrator';
import type { BootStep } from '../boot/sequence';
import type { Platform } from '../../platform/types';

/** VERSION_ID of the running image's os-release, strictly parsed. */
export async function runningVersion(platform: Platform) {
  const release = await readOsRelease(platform);
  if (!release) throw new BrktError('not-found', `Failed to read ${platform.paths.osRelease}: no such file`);
  const id = release.versionId;
  const version = id === undefined ? undefined : tryParseVersion(id);
  if (!version) throw new BrktError('invalid-input', `${platform.paths.osRelease} has no valid VERSION_ID${id === undefined ? '' : ` ('${id}')`}`);
  return version;
}

/** A failure stops the boot with the migration's name and reason; `current` is left as it was. */
export const migratorStep: BootStep = {
  name: 'migrator',
  async run({ platform, log }) {
    const outcome = await runMigrator(platform, {
      datastorePath: platform.paths.datastore,
      migrationDirectory: platform.paths.migrations,
      target: await runningVersion(platform),
      log: (level, line) => {
        if (level === 'warn' || level === 'error') log(`migrator: ${line}`);
      },
    });
    switch (outcome.kind) {
      case 'no-datastore':
        return 'no datastore yet (first boot)';
      case 'up-to-date':
        return `datastore already at ${outcome.version.text}`;
      case 'migrated': {
        const list = outcome.migrations.length ? `ran ${outcome.migrations.join(', ')}` : 'no migrations needed';
        return `${outcome.direction} ${outcome.from.text} -> ${outcome.to.text}, ${list}`;
      }
    }
  },
};

// The migrator (migrations.md 5 to 7): moves the datastore behind `current` to the running OS
// version by running migration documents into new directories, then flips the version links.
// Mirrors bottlerocket-core-kit's migrator (main.rs, direction.rs).
import { BrktError, messageOf } from '../errors';
import { Datastore } from '../datastore/store';
import { flipToVersion, randomDatastoreId } from '../datastore/versioned';
import { readOsRelease } from '../os-release';
import { parseManifest } from '../updates/manifest';
import type { Version } from '../updates/version';
import { canonicalDatastorePath, parentOf, readDatastoreVersion } from './datastore-version';
import { loadMigration, MANIFEST_FILE } from './migration-files';
import { migrateDatastore, osData } from './migrate-datastore';
import { copyForNewVersion, removeOrphanedDatastores } from './version-reset';
import { findMigrations, migrationDirection, type Direction } from './select';
import type { MigrationDocument } from './document';
import type { Platform } from '../../platform/types';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

export interface MigratorOptions {
  /** The datastore link (`…/datastore/current`) or any path that resolves to a datastore directory. */
  datastorePath: string;
  /** Where `brkt update` stores manifest.json and the migration documents. */
  migrationDirectory: string;
  target: Version;
  log?: (level: LogLevel, line: string) => void;
}

export type MigratorOutcome =
  | { kind: 'no-datastore'; path: string }
  | { kind: 'up-to-date'; version: Version; datastore: string }
  | { kind: 'migrated'; from: Version; to: Version; direction: Direction; migrations: string[]; datastore: string };

/**
 * migrations.md 6: version from the link chain, direction, migrations from the manifest, each
 * run from a copy into `v<target>_<id>`, then the version-change copy (settings-now.md 1.8),
 * links flipped last and the other versions' datastores removed. On failure `current` is
 * untouched and the error names the migration.
 */
export async function runMigrator(platform: Platform, options: MigratorOptions): Promise<MigratorOutcome> {
  const log = options.log ?? (() => {});
  const { files } = platform;
  const canonical = await canonicalDatastorePath(files, options.datastorePath);
  if (canonical === undefined) return { kind: 'no-datastore', path: options.datastorePath };
  const base = parentOf(canonical);
  const current = await readDatastoreVersion(files, base);
  const target = options.target;
  const direction = migrationDirection(current, target);
  if (!direction) {
    log('info', `Requested version ${target.text} matches the datastore version; nothing to do`);
    return { kind: 'up-to-date', version: current, datastore: canonical };
  }
  log('info', `Migrating the datastore ${direction} from ${current.text} to ${target.text}`);

  const manifestPath = `${options.migrationDirectory}/${MANIFEST_FILE}`;
  const manifestText = await files.readTextIfExists(manifestPath);
  if (manifestText === undefined) throw new BrktError('not-found', `Failed to read the update manifest ${manifestPath}: no such file (brkt update stores it with the migrations)`);
  const names = findMigrations(parseManifest(manifestText).migrations, current, target);

  // brkt: a commit cut short by a crash is finished first (its redo log names keys as they were
  // before the migration), so migrations see committed data only. This completes a commit that
  // already happened, as storewolf would at this boot; the source's data is otherwise untouched.
  for (const line of await new Datastore(files, canonical).recover()) log('info', `Datastore recovery: ${line}`);
  let migrated = canonical;
  if (names.length === 0) {
    log('info', `No migrations between ${current.text} and ${target.text}`);
  } else {
    log('info', `Migrations to run: ${names.join(', ')}`);
    // brkt: every document is read and checked before anything is written.
    const documents: Array<[string, MigrationDocument]> = [];
    for (const name of names) documents.push([name, await loadMigration(platform, options.migrationDirectory, name)]);
    const os = await runningOsData(platform);
    migrated = await runMigrations(platform, { documents, direction, source: canonical, target, os, log });
  }
  // Any version change (settings-now.md 1.8): a new directory without weak values, metadata,
  // services or configuration files, which the new image's storewolf and sundog write again.
  const final = `${base}/v${target.text}_${randomDatastoreId()}`;
  const counts = await copyForNewVersion(platform, migrated, final);
  log('info', `Copied ${counts.kept} keys into ${final}; dropped ${counts.dropped} weak or image-owned keys and all metadata`);
  const flipped = await flipToVersion(files, target, final);
  if (flipped.warning) log('warn', flipped.warning);
  log('info', `The datastore is at ${target.text}: current -> ${flipped.links.map(([, to]) => to).reverse().join(' -> ')}`);
  const chain = new Set(flipped.links.map(([link]) => link).concat(final.slice(base.length + 1)));
  try {
    const removed = await removeOrphanedDatastores(files, base, chain);
    if (removed.length) log('info', `Removed datastores and links of other versions: ${removed.join(', ')}`);
  } catch (error) {
    log('warn', `Failed to remove old datastores in ${base}: ${messageOf(error)}`);
  }
  return { kind: 'migrated', from: current, to: target, direction, migrations: names, datastore: final };
}

async function runningOsData(platform: Platform) {
  const release = await readOsRelease(platform);
  if (!release) throw new BrktError('not-found', `Failed to read ${platform.paths.osRelease}: migrations see the running image's os-release`);
  return osData(release.fields, platform.arch);
}

/** migrations.md 6.1, with documents instead of programs; returns the final datastore directory. */
async function runMigrations(
  platform: Platform,
  run: { documents: Array<[string, MigrationDocument]>; direction: Direction; source: string; target: Version; os: Record<string, string>; log: (level: LogLevel, line: string) => void },
): Promise<string> {
  const { files } = platform;
  const base = parentOf(run.source);
  let source = run.source;
  let previous: string | undefined;
  for (const [name, document] of run.documents) {
    const target = `${base}/v${run.target.text}_${randomDatastoreId()}`;
    run.log('info', `Running migration '${name}' --${run.direction} from ${source} into ${target}`);
    try {
      await migrateDatastore(files, { source, target, direction: run.direction, document, os: run.os, log: line => run.log('debug', `${name}: ${line}`) });
    } catch (error) {
      const code = error instanceof BrktError ? error.code : 'io';
      throw new BrktError(code, `Migration '${name}' failed: ${messageOf(error)}`, { cause: error });
    }
    // The source is never removed here; at most two generated directories exist at once.
    if (previous !== undefined) {
      try {
        await files.remove(previous, { recursive: true });
      } catch (error) {
        run.log('warn', `Failed to remove the intermediate datastore ${previous}: ${messageOf(error)}`);
      }
    }
    previous = target;
    source = target;
  }
  return source;
}

// updates.md 4.1 step 5: fetch the migrations between the running and the new version, and the
// manifest naming them, into the migration directory; keep a copy of the repository metadata.
// Mirrors updog's retrieve_migrations.
import { BrktError } from '../errors';
import { migrationPath, MANIFEST_FILE } from '../migrations/migration-files';
import { migrationsToFetch } from '../migrations/select';
import type { Version } from './version';
import type { UpdogSession } from './updog-session';

/**
 * Stores each migration and `manifest.json`, verified, atomically in the migration directory and
 * returns their names (`manifest.json` last), the value of the `migrations` query parameter.
 *
 * brkt: files keep their plain target names (upstream prefixes the SHA-256), because brkt's
 * migrator reads them by name without a TUF client; they were verified when fetched.
 */
export async function cacheMigrations(session: UpdogSession, target: Version): Promise<string[]> {
  const { platform, repository, manifest } = session;
  // Always the forward list between the two versions: a downgrade runs the same ones backward.
  const names = [...migrationsToFetch(manifest.migrations, session.current, target), MANIFEST_FILE];
  const directory = platform.paths.migrations;
  await platform.files.mkdirp(directory, 0o700);
  for (const name of names) {
    const path = migrationPath(directory, name);
    if (!repository.target(name)) throw new BrktError('not-found', `Migration ${name} is in the manifest but not in the repository's signed targets metadata`);
    await platform.files.writeAtomic(path, await repository.readTarget(name), { mode: 0o600 });
  }
  await cacheMetadata(session);
  return names;
}

/** The metadata files as served, for tools that verify the migrations offline (updates.md 1.5). */
async function cacheMetadata(session: UpdogSession) {
  const { platform, repository } = session;
  const versions = repository.versions;
  const prefixed = (version: number, role: string) => (repository.consistentSnapshot ? `${version}.${role}.json` : `${role}.json`);
  const names = ['timestamp.json', prefixed(versions.snapshot, 'snapshot'), prefixed(versions.targets, 'targets')];
  for (let version = versions.root; version >= 1; version--) names.push(`${version}.root.json`);
  const dir = platform.paths.metadataCache;
  await platform.files.mkdirp(dir);
  for (const name of names) await platform.files.writeAtomic(`${dir}/${name}`, await repository.rawMetadata(name));
}

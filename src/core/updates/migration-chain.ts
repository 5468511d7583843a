// The migrations to run between two versions, from the manifest's (FROM, TO) table. Mirrors
// update_metadata's find_migrations: always walked upwards, reversed for a downgrade.
import { BrktError } from '../errors';
import type { Manifest } from './manifest';
import { compareVersions, type Version } from './version';

/** Migration target names, in the order they run from `from` to `to`. */
export function findMigrations(manifest: Manifest, from: Version, to: Version): string[] {
  const order = compareVersions(from, to);
  if (order === 0) return [];
  if (order > 0) return findMigrations(manifest, to, from).reverse();
  const names: string[] = [];
  let at = from;
  while (compareVersions(at, to) < 0) {
    // The longest hop from here that does not pass the goal.
    const hops = manifest.migrations.filter(step => compareVersions(step.from, at) === 0 && compareVersions(step.to, to) <= 0);
    const best = hops.sort((a, b) => compareVersions(b.to, a.to))[0];
    if (!best || compareVersions(best.to, at) <= 0) {
      throw new BrktError('not-found', `Reached end of migration chain at ${at.text} but target is ${to.text}`);
    }
    names.push(...best.names);
    at = best.to;
  }
  return names;
}

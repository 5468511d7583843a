// Which migrations run between two versions, and in which direction (migrations.md 3 and 4).
// Mirrors update_metadata's find_migrations and the migrator's direction.rs.
import { BrktError } from '../errors';
import type { MigrationStep } from '../updates/manifest';
import { compareVersions, type Version } from '../updates/version';

export type Direction = 'forward' | 'backward';

/** `forward` when the datastore is older than the target, `backward` when newer, none when equal. */
export function migrationDirection(from: Version, to: Version): Direction | undefined {
  const order = compareVersions(from, to);
  return order < 0 ? 'forward' : order > 0 ? 'backward' : undefined;
}

/**
 * The migration names to run from `from` to `to`, in order (migrations.md 4): walk upwards from
 * the lower version taking, at each version, the key that reaches furthest without passing the
 * higher one; a downgrade runs the whole flattened list reversed.
 *
 * brkt: upstream loops forever on a self-loop key `(v, v)` and can cycle on keys that go down.
 * Here a step onto a version already visited fails like a missing link, with upstream's message;
 * every walk that terminates upstream gives the same list here.
 */
export function findMigrations(steps: readonly MigrationStep[], from: Version, to: Version): string[] {
  const order = compareVersions(from, to);
  if (order === 0) return [];
  const [low, high] = order < 0 ? [from, to] : [to, from];
  const names: string[] = [];
  const visited = new Set<string>();
  let at = low;
  while (compareVersions(at, high) !== 0) {
    visited.add(versionKey(at));
    let best: MigrationStep | undefined;
    for (const step of steps) {
      if (compareVersions(step.from, at) !== 0 || compareVersions(step.to, high) > 0) continue;
      if (!best || compareVersions(step.to, best.to) > 0) best = step;
    }
    if (!best || visited.has(versionKey(best.to))) throw missingMigration(at, high);
    names.push(...best.names);
    at = best.to;
  }
  return order < 0 ? names : names.reverse();
}

/** SemVer equality includes build metadata (migrations.md 4), so the key keeps every part. */
const versionKey = (v: Version) => `${v.major}.${v.minor}.${v.patch}-${v.pre.join('.')}+${v.build.join('.')}`;

/** Upstream reports the higher version as the target even for a downgrade. */
function missingMigration(at: Version, target: Version): BrktError {
  return new BrktError('not-found', `Reached end of migration chain at ${at.text} but target is ${target.text}`);
}

/**
 * What `brkt update` must fetch before it marks a new version bootable: the migrations between
 * the running and the target version, which are the same names whichever way the datastore will
 * later move (a rollback runs them backward). Returned in forward order, without duplicates.
 */
export function migrationsToFetch(steps: readonly MigrationStep[], running: Version, target: Version): string[] {
  const [low, high] = compareVersions(running, target) <= 0 ? [running, target] : [target, running];
  return [...new Set(findMigrations(steps, low, high))];
}

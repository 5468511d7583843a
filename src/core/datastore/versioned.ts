// The versioned datastore directories: `current -> vX -> vX.Y -> vX.Y.Z -> vX.Y.Z_<id>`, created
// on first boot (datastore.md 9.1, upstream storewolf's create_new_datastore).
import { BrktError } from '../errors';
import type { HostFiles } from '../../platform/types';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomDatastoreId(length = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 62 does not divide 256, so this is very slightly biased; the id only has to be unique.
  return [...bytes].map(b => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

export function parseVersion(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new BrktError('invalid-input', `Version '${version}' is not MAJOR.MINOR.PATCH`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Replaces `path` with a symlink to `target` in one rename, so readers see the old or the new link. */
async function linkAtomically(files: HostFiles, base: string, target: string, name: string) {
  const temp = `${base}/.${name}.${randomDatastoreId(8)}.tmp`;
  await files.symlink(target, temp);
  await files.rename(temp, `${base}/${name}`);
}

/**
 * Creates the datastore directory of `version` and its relative link chain unless
 * `<base>/current/live` already exists. Returns whether a new datastore was created.
 */
export async function ensureVersionedDatastore(files: HostFiles, base: string, version: string): Promise<{ created: boolean; directory?: string }> {
  if ((await files.info(`${base}/current/live`))?.isDirectory) return { created: false };
  const [major, minor, patch] = parseVersion(version);
  const directory = `v${major}.${minor}.${patch}_${randomDatastoreId()}`;
  await files.mkdirp(`${base}/${directory}/live`);
  // Inner links first, `current` last: until `current` flips, readers see no datastore at all.
  await linkAtomically(files, base, directory, `v${major}.${minor}.${patch}`);
  await linkAtomically(files, base, `v${major}.${minor}.${patch}`, `v${major}.${minor}`);
  await linkAtomically(files, base, `v${major}.${minor}`, `v${major}`);
  await linkAtomically(files, base, `v${major}`, 'current');
  await files.fsyncDir(base);
  return { created: true, directory };
}

// The versioned datastore directories: `current -> vX -> vX.Y -> vX.Y.Z -> vX.Y.Z_<id>`, created
// on first boot (datastore.md 9.1, upstream storewolf's create_new_datastore) and re-pointed by
// the migrator (migrations.md 6.2).
import { BrktError, messageOf } from '../errors';
import { parseVersion, type Version } from '../updates/version';
import type { HostFiles } from '../../platform/types';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomDatastoreId(length = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  // 62 does not divide 256, so this is very slightly biased; the id only has to be unique.
  return [...bytes].map(b => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/**
 * Creates the datastore directory of `version` and its relative link chain unless
 * `<base>/current/live` already exists. Returns whether a new datastore was created.
 */
export async function ensureVersionedDatastore(files: HostFiles, base: string, version: string): Promise<{ created: boolean; directory?: string }> {
  if ((await files.info(`${base}/current/live`))?.isDirectory) return { created: false };
  const parsed = parseVersion(version);
  const directory = `v${parsed.major}.${parsed.minor}.${parsed.patch}_${randomDatastoreId()}`;
  await files.mkdirp(`${base}/${directory}/live`);
  // Until `current` flips, readers see no datastore at all.
  const flipped = await flipToVersion(files, parsed, `${base}/${directory}`);
  if (flipped.warning) throw new BrktError('io', flipped.warning);
  return { created: true, directory };
}

export interface FlipResult {
  /** Link name -> target, in the order they were switched. */
  links: Array<[string, string]>;
  /** fsync of the directory failed: only a warning, as upstream's migrator. */
  warning?: string;
}

/**
 * Points `v<M>.<m>.<p>` at `datastore`, then `v<M>.<m>`, `v<M>` and `current` down the chain,
 * each in one rename (migrations.md 6.2, datastore.md 9). A crash between two renames leaves
 * `current` on a complete datastore: the old chain until the last rename, the new one after it.
 */
export async function flipToVersion(files: HostFiles, version: Version, datastore: string): Promise<FlipResult> {
  const dir = datastore.slice(0, datastore.lastIndexOf('/')) || '/';
  const patch = `v${version.major}.${version.minor}.${version.patch}`;
  const minor = `v${version.major}.${version.minor}`;
  const major = `v${version.major}`;
  const links: Array<[string, string]> = [
    [patch, datastore.slice(datastore.lastIndexOf('/') + 1)],
    [minor, patch],
    [major, minor],
    ['current', major],
  ];
  for (const [link, target] of links) {
    // Upstream's temporary name: 16 random letters and digits, which no datastore entry uses.
    const temp = `${dir}/${randomDatastoreId()}`;
    try {
      await files.symlink(target, temp);
      await files.rename(temp, `${dir}/${link}`);
    } catch (error) {
      throw new BrktError('io', `Failed to point ${dir}/${link} at ${target}: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    await files.fsyncDir(dir);
    return { links };
  } catch (error) {
    return { links, warning: `Failed to sync ${dir}: ${messageOf(error)}` };
  }
}

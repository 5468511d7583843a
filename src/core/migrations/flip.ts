// Makes a datastore directory live for a version by re-pointing the version links, innermost
// first and `current` last, each in one rename (migrations.md 6.2). Mirrors the migrator's flip_to_new_version.
import { BrktError, messageOf } from '../errors';
import { randomDatastoreId } from '../datastore/versioned';
import { baseName, parentOf } from './datastore-version';
import type { HostFiles } from '../../platform/types';
import type { Version } from '../updates/version';

export interface FlipResult {
  /** Link name -> target, in the order they were switched. */
  links: Array<[string, string]>;
  /** fsync of the directory failed: only a warning, as upstream. */
  warning?: string;
}

/**
 * Points `v<M>.<m>.<p>` at `datastore`, then `v<M>.<m>`, `v<M>` and `current` down the chain.
 * A crash between two renames leaves `current` on a complete datastore: the old chain until the
 * last rename, the new one after it.
 */
export async function flipToVersion(files: HostFiles, version: Version, datastore: string): Promise<FlipResult> {
  const dir = parentOf(datastore);
  const patch = `v${version.major}.${version.minor}.${version.patch}`;
  const minor = `v${version.major}.${version.minor}`;
  const major = `v${version.major}`;
  const links: Array<[string, string]> = [
    [patch, baseName(datastore)],
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

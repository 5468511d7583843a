// The version of a datastore, read from its link chain `current -> vX -> vX.Y -> vX.Y.Z`
// (migrations.md 2.1). Mirrors the migrator's get_current_version.
import { BrktError } from '../errors';
import { tryParseVersion, type Version } from '../updates/version';
import type { HostFiles } from '../../platform/types';

/** Longer chains than this are a loop, not a datastore (Linux gives up at 40 too). */
const MAX_LINK_HOPS = 40;

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const joinLink = (dir: string, target: string) => (target.startsWith('/') ? target : `${dir}/${target}`);

/**
 * Resolves the links of the last component of `path` (the datastore links live in one
 * directory), giving the real datastore directory; `undefined` when the path does not exist.
 * brkt: only the last component is followed, so a sandbox root stays the root even when a
 * parent directory is itself a link.
 */
export async function canonicalDatastorePath(files: HostFiles, path: string): Promise<string | undefined> {
  let current = path.replace(/\/+$/, '');
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const info = await files.info(current);
    if (!info) return undefined;
    if (!info.isSymlink) return normalize(current);
    const target = await files.readlink(current);
    if (target === undefined) return undefined;
    current = normalize(joinLink(parentOf(current), target));
  }
  throw new BrktError('io', `Failed to resolve ${path}: more than ${MAX_LINK_HOPS} symbolic links`);
}

/** `a/./b/../c` -> `a/c` without touching the disk. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/**
 * `current` -> major link -> minor link -> patch link name, `v` stripped, parsed strictly. The
 * patch link itself is not followed. Any missing link or bad name is an error.
 */
export async function readDatastoreVersion(files: HostFiles, base: string): Promise<Version> {
  let link = `${base}/current`;
  for (const step of ['major', 'minor', 'patch']) {
    const target = await files.readlink(link);
    if (target === undefined) {
      throw new BrktError('io', `Failed to read the ${step} version link of the datastore: ${link} is missing or not a symbolic link`);
    }
    link = joinLink(base, target);
  }
  const name = baseName(link);
  const version = tryParseVersion(name.startsWith('v') ? name.slice(1) : name);
  if (!version) throw new BrktError('io', `Failed to read the datastore version: link name '${name}' is not a version`);
  return version;
}

export { parentOf, baseName };

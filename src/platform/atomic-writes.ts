// Atomic writes of several files at once, for the datastore: each file goes to a temp name and
// is renamed into place; durable ones are fsynced before the rename and their directories once
// after. Sync calls on purpose: the writes happen under the datastore's locks anyway, and the
// thread-pool hops of fs.promises cost more than the writes themselves (bench/api.ts).
// Every directory is entered through the root's confinement (confined.ts) and held open for the
// batch, so a link planted in the datastore cannot send a write outside the root.
import { closeSync, constants, fsyncSync, mkdirSync, openSync, promises as fs, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Confinement, Located } from './confined';
import type { FileWrite } from './types';

/** Temp names end in `%7Etmp`: they decode to `~`, which no key may hold, so listings skip them. */
export const DURABLE_TEMP_SUFFIX = '%7Etmp';

const tempName = (name: string) => `${name}%7E${process.pid}-${Math.random().toString(36).slice(2, 10)}${DURABLE_TEMP_SUFFIX}`;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/** Without fsync a write may wait on the journal behind other processes' fsyncs: stay async. */
async function writeUnsynced(located: Located, data: Uint8Array | string): Promise<void> {
  const temp = `${located.dir}/${tempName(located.name)}`;
  await fs.writeFile(temp, data, { flag: CREATE_FLAGS, mode: 0o644 }); // O_EXCL: never through a link
  await fs.rename(temp, located.path); // readers and crashes see the old file or the new one, never a mix
}

function writeSynced(located: Located, data: Uint8Array | string) {
  const temp = `${located.dir}/${tempName(located.name)}`;
  const fd = openSync(temp, CREATE_FLAGS, 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done);
    fsyncSync(fd); // the bytes are on disk before any name points at them
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, located.path); // readers and crashes see the old file or the new one, never a mix
}

export async function writeFilesAtomic(confinement: Confinement, writes: FileWrite[], options: { sync?: boolean } = {}): Promise<void> {
  const sync = options.sync ?? true;
  // One walk per directory of the batch; the held directory is the one checked, whatever its
  // name points at later.
  const held = new Map<string, Located>();
  const locate = (path: string): Located => {
    const dir = dirname(path);
    let parent = held.get(dir);
    if (!parent) {
      if (!confinement.isWholeHost) {
        // The parent's parent once by the confined walk; its other children from there.
        const up = dirname(dir);
        if (!descendable(held, dir) && up !== dir && !held.has(up)) {
          const opened = confinement.openDir(up, { create: true });
          held.set(up, { path: opened.path, dir: opened.path, name: '.', noFollow: constants.O_NOFOLLOW, close: opened.close });
        }
        parent = descend(held, dir);
      }
      parent ??= confinement.locate(`${path}`, { create: true });
      held.set(dir, parent);
    }
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { ...parent, name, path: `${parent.dir}/${name}` };
  };
  try {
    const located = writes.map(write => ({ located: locate(write.path), data: write.data }));
    if (!sync) {
      await Promise.all(located.map(write => writeUnsynced(write.located, write.data)));
      return;
    }
    for (const write of located) writeSynced(write.located, write.data);
    for (const parent of held.values()) {
      const fd = openSync(parent.dir, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        fsyncSync(fd); // the renames themselves survive a power loss
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    for (const parent of held.values()) parent.close();
  }
}

const DIR_FLAGS = 0o10000000 /* O_PATH */ | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Enters `dir` from the nearest directory the batch already holds, one plain directory at a time
 * (made when missing), so a batch of thousands of keys in as many directories walks from the
 * root once, not once per directory. Every step is opened with O_NOFOLLOW below a held directory
 * that the confined walk reached, so it stays inside the root; anything but a plain directory on
 * the way (a link, a file) gives up here and the full confined walk decides.
 */
/** Whether a directory above `dir` is held already. */
function descendable(held: Map<string, Located>, dir: string): boolean {
  for (let cut = dir.lastIndexOf('/'); cut > 0; cut = dir.lastIndexOf('/', cut - 1)) if (held.has(dir.slice(0, cut))) return true;
  return false;
}

function descend(held: Map<string, Located>, dir: string): Located | undefined {
  const rest: string[] = [];
  let ancestor = dir;
  while (!held.has(ancestor)) {
    const cut = ancestor.lastIndexOf('/');
    if (cut <= 0) return undefined;
    rest.unshift(ancestor.slice(cut + 1));
    ancestor = ancestor.slice(0, cut);
  }
  let at = held.get(ancestor)!;
  let path = ancestor;
  for (const name of rest) {
    if (name === '' || name === '.' || name === '..') return undefined;
    const next = `${at.dir}/${name}`;
    let fd: number;
    try {
      fd = openDirectory(next);
    } catch {
      return undefined;
    }
    path = `${path}/${name}`;
    at = { path: `/proc/self/fd/${fd}`, dir: `/proc/self/fd/${fd}`, name: '.', noFollow: constants.O_NOFOLLOW, close: () => closeSync(fd) };
    held.set(path, at);
  }
  return at;
}

function openDirectory(path: string): number {
  try {
    return openSync(path, DIR_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return openSync(path, DIR_FLAGS); // whatever is there now: a link or a file fails here
}

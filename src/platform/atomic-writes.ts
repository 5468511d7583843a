// Atomic writes of several files at once, for the datastore: each file goes to a temp name and
// is renamed into place; durable ones are fsynced before the rename and their directories once
// after. Sync calls on purpose: the writes happen under the datastore's locks anyway, and the
// thread-pool hops of fs.promises cost more than the writes themselves (bench/api.ts).
import { closeSync, constants, fsyncSync, mkdirSync, openSync, promises as fs, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FileWrite } from './types';

/** Temp names end in `%7Etmp`: they decode to `~`, which no key may hold, so listings skip them. */
export const DURABLE_TEMP_SUFFIX = '%7Etmp';

const tempName = (path: string) => `${path}%7E${process.pid}-${Math.random().toString(36).slice(2, 10)}${DURABLE_TEMP_SUFFIX}`;

function openTemp(path: string): { fd: number; temp: string } {
  const temp = tempName(path);
  try {
    return { fd: openSync(temp, 'wx', 0o644), temp };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    return { fd: openSync(temp, 'wx', 0o644), temp };
  }
}

/** Without fsync a write may wait on the journal behind other processes' fsyncs: stay async. */
async function writeUnsynced({ path, data }: FileWrite): Promise<void> {
  const temp = tempName(path);
  try {
    await fs.writeFile(temp, data, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(temp, data, { flag: 'wx' });
  }
  await fs.rename(temp, path); // readers and crashes see the old file or the new one, never a mix
}

export async function writeFilesAtomic(writes: FileWrite[], options: { sync?: boolean } = {}): Promise<void> {
  const sync = options.sync ?? true;
  if (!sync) {
    await Promise.all(writes.map(writeUnsynced));
    return;
  }
  const dirs = new Set<string>();
  for (const { path, data } of writes) {
    const { fd, temp } = openTemp(path);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done);
      if (sync) fsyncSync(fd); // the bytes are on disk before any name points at them
    } catch (error) {
      closeSync(fd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(fd);
    renameSync(temp, path); // readers and crashes see the old file or the new one, never a mix
    if (sync) dirs.add(dirname(path));
  }
  for (const dir of dirs) {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd); // the renames themselves survive a power loss
    } finally {
      closeSync(fd);
    }
  }
}

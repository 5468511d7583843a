// HostFiles on node:fs, confined to one root by name and through links (confined.ts). Atomic writes follow the classic sequence; each
// step's guarantee is noted where it happens.
import { closeSync, constants, fstatSync, fsyncSync, openSync, promises as fs, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { Confinement, type Located } from './confined';
import { BrktError } from '../core/errors';
import type { DeviceHandle, DirEntry, FileInfo, HostFiles } from './types';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

export class RootedFiles implements HostFiles {
  private readonly confinement: Confinement;

  constructor(private readonly root: string) {
    this.confinement = new Confinement(root);
  }

  /** Refuses paths outside the root, by name and through links; every method goes through here. */
  private locate<T>(path: string, options: { followLast?: boolean; create?: boolean; mode?: number }, use: (located: Located) => T): T {
    const located = this.confinement.locate(this.checked(path), options);
    let result: T;
    try {
      result = use(located);
    } catch (error) {
      located.close();
      throw named(error, path);
    }
    if (result instanceof Promise) {
      return result.then(
        value => (located.close(), value),
        error => {
          located.close();
          throw named(error, path);
        },
      ) as T;
    }
    located.close();
    return result;
  }

  /** Opens `path` for reading; a link in the last place is followed only inside the root. */
  private openRead(path: string): Promise<fs.FileHandle> {
    return this.locate(path, { followLast: true }, located => fs.open(located.path, constants.O_RDONLY | located.noFollow));
  }

  async read(path: string) {
    const handle = await this.openRead(path);
    try {
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  }

  async readText(path: string) {
    return new TextDecoder().decode(await this.read(path));
  }

  async readTextIfExists(path: string) {
    try {
      return await this.readText(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async writeAtomic(path: string, data: Uint8Array | string, options: { mode?: number } = {}) {
    await this.locate(path, { create: true }, async located => {
      const temp = `${located.dir}/.${located.name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      // O_EXCL: never through a link of that name, nor into someone else's file.
      const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, options.mode ?? 0o644);
      try {
        await handle.writeFile(data);
        if (options.mode !== undefined) await handle.chmod(options.mode); // umask must not narrow it
        await handle.sync();                  // the new bytes are on disk before any name points at them
      } catch (error) {
        await handle.close();
        await fs.rm(temp, { force: true });
        throw error;
      }
      await handle.close();
      await fs.rename(temp, located.path);  // readers see the old file or the new one, never a mix
      await syncDir(located.dir);           // the rename itself survives a power loss
    });
  }

  async append(path: string, data: Uint8Array | string) {
    await this.locate(path, { create: true, followLast: true }, async located => {
      const handle = await fs.open(located.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | located.noFollow, 0o644);
      try {
        await handle.appendFile(data);
      } finally {
        await handle.close();
      }
    });
  }

  async info(path: string): Promise<FileInfo | undefined> {
    try {
      const stat = await this.locate(path, {}, located => fs.lstat(located.path));
      return {
        size: stat.size,
        mode: stat.mode & 0o7777,
        mtimeMs: stat.mtimeMs,
        isFile: stat.isFile(),
        isDirectory: stat.isDirectory(),
        isSymlink: stat.isSymbolicLink(),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(path: string) {
    return (await this.info(path)) !== undefined;
  }

  async list(dir: string) {
    try {
      return await this.inDir(dir, {}, path => fs.readdir(path).then(names => names.sort()));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async readTree(dir: string) {
    const out: Array<{ rel: string; text: string }> = [];
    await this.visitTree(dir, (rel, kind, fd) => {
      if (kind === 'file') out.push({ rel, text: readFileSync(fd!, 'utf8') });
    });
    return out;
  }

  async listTree(dir: string) {
    const out: Array<{ rel: string; kind: DirEntry['kind'] }> = [];
    await this.visitTree(dir, (rel, kind) => void out.push({ rel, kind }));
    return out;
  }

  private async visitTree(dir: string, visit: TreeVisitor) {
    try {
      await this.inDir(dir, {}, async path => visitTreeAt(path, '', visit));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async mkdirp(dir: string, mode?: number) {
    await this.inDir(dir, { create: true, mode }, async () => undefined);
  }

  async remove(path: string, options: { recursive?: boolean } = {}) {
    try {
      await this.locate(path, {}, located => removeAt(located.dir, located.name, options.recursive ?? false));
    } catch (error) {
      if (!isMissing(error)) throw error; // a missing parent: nothing to remove, as with force
    }
  }

  async rename(from: string, to: string) {
    await this.locate(from, {}, source => this.locate(to, {}, target => fs.rename(source.path, target.path)));
  }

  async fsyncDir(dir: string) {
    await this.inDir(dir, {}, syncDir);
  }

  async symlink(target: string, path: string) {
    await this.locate(path, {}, located => fs.symlink(target, located.path));
  }

  async readlink(path: string) {
    try {
      return await this.locate(path, {}, located => fs.readlink(located.path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT' || code === 'EINVAL') return undefined;
      throw error;
    }
  }

  async lockDirectory(dir: string) {
    return (await import('./file-lock')).lockDirectory(this.confinement, this.checked(dir));
  }

  /** The device and inode of `path` (links followed inside the root), for matching `/proc/locks`. */
  async identity(path: string): Promise<{ dev: number; ino: number } | undefined> {
    try {
      const stat = await this.locate(path, { followLast: true }, located => fs.stat(located.path));
      return { dev: stat.dev, ino: stat.ino };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private checked(path: string): string {
    const rel = relative(this.root, path);
    if (!isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
      throw new BrktError('invalid-input', `Refusing path ${path}: it is outside the root ${this.root}`);
    }
    return path;
  }

  /** Runs `use` on a held directory (as a `/proc/self/fd` path), entered as `locate` enters one. */
  private async inDir<T>(dir: string, options: { create?: boolean; mode?: number }, use: (path: string) => Promise<T>): Promise<T> {
    const held = this.confinement.openDir(this.checked(dir), options);
    try {
      return await use(held.path);
    } catch (error) {
      throw named(error, dir);
    } finally {
      held.close();
    }
  }

  /**
   * Device I/O runs on the calling thread: table reads and writes are a few KiB, where a trip
   * through the thread pool costs more than the syscall (a signpost command did ~170 futex
   * waits for a dozen reads). Writes of large image chunks block the loop for one write each,
   * which is also what keeps an image apply's memory bounded.
   */
  async open(path: string, mode: 'r' | 'r+'): Promise<DeviceHandle> {
    const flags = mode === 'r' ? constants.O_RDONLY : constants.O_RDWR;
    const fd = this.locate(path, { followLast: true }, located => openSync(located.path, flags | located.noFollow));
    return {
      path,
      async size() {
        const stat = fstatSync(fd);
        if (!stat.isBlockDevice()) return stat.size;
        // stat reports 0 for a block device; sysfs gives its size in 512-byte sectors.
        const major = (stat.rdev >> 8) & 0xfff;
        const minor = (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00);
        return Number(await fs.readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')) * 512;
      },
      async read(position, length) {
        const buffer = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const bytesRead = readSync(fd, buffer, done, length - done, position + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === length ? buffer : buffer.subarray(0, done);
      },
      async write(position, data) {
        let done = 0;
        while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
      },
      async sync() {
        fsyncSync(fd);
      },
      async close() {
        closeSync(fd);
      },
    };
  }
}

async function syncDir(dir: string) {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes `name` in the held directory `dir`; with `recursive`, a directory's contents first,
 * each level entered with O_NOFOLLOW, so a link swapped in for a subdirectory is removed
 * itself and never followed.
 */
/**
 * Removes `name` in the held directory `dir`; with `recursive`, a directory's contents first,
 * each level entered with O_NOFOLLOW, so a link swapped in for a subdirectory is removed itself
 * and never followed. Entries come with their kind from readdir, and the entries of a directory
 * are removed concurrently: a committed transaction of thousands of keys is thousands of
 * unlinks, which must not hold the server's event loop.
 */
async function removeAt(dir: string, name: string, recursive: boolean, kind?: 'dir' | 'other'): Promise<void> {
  const path = `${dir}/${name}`;
  if (kind === undefined) {
    const stat = await fs.lstat(path).catch(error => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (!stat) return;
    kind = stat.isDirectory() ? 'dir' : 'other';
  }
  if (kind === 'other') return fs.unlink(path).catch(ignoreMissing);
  if (!recursive) return fs.rm(path, { force: true }); // refused for a directory, as before
  let fd: number;
  try {
    fd = openSync(path, 0o10000000 | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isMissing(error)) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') return removeAt(dir, name, false, 'other'); // swapped: the link goes, not its target
    throw error;
  }
  try {
    const held = `/proc/self/fd/${fd}`;
    const entries = await fs.readdir(held, { withFileTypes: true });
    await Promise.all(entries.map(entry => removeAt(held, entry.name, true, entry.isDirectory() ? 'dir' : 'other')));
  } finally {
    closeSync(fd);
  }
  await fs.rmdir(path).catch(ignoreMissing);
}

function ignoreMissing(error: unknown) {
  if (!isMissing(error)) throw error;
}

/** Called for each entry of a tree; `fd` is the entry opened for reading (regular files only). */
type TreeVisitor = (rel: string, kind: DirEntry['kind'], fd?: number) => void;

/**
 * Walks the tree under the held directory `dir` with sync calls, which for thousands of small
 * files beat a trip through the thread pool each. Every level is opened with O_NOFOLLOW through
 * the directory above it, so a link swapped in anywhere is reported as a link, never followed.
 */
function visitTreeAt(dir: string, prefix: string, visit: TreeVisitor) {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const rel = prefix + entry.name;
    if (entry.isSymbolicLink()) visit(rel, 'symlink');
    if (!entry.isDirectory() && !entry.isFile()) {
      if (!entry.isSymbolicLink()) visit(rel, 'other');
      continue;
    }
    let fd: number;
    try {
      fd = openSync(`${dir}/${entry.name}`, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (entry.isDirectory() ? constants.O_DIRECTORY : 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') continue; // gone or swapped
      throw error;
    }
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) {
        visit(rel, 'directory');
        visitTreeAt(`/proc/self/fd/${fd}`, `${rel}/`, visit);
      } else visit(rel, stat.isFile() ? 'file' : 'other', stat.isFile() ? fd : undefined);
    } finally {
      closeSync(fd);
    }
  }
}

/** Errors name the caller's path, not the `/proc/self/fd` one the syscall saw. */
function named(error: unknown, path: string): unknown {
  if (error instanceof Error && error.message.includes('/proc/self/fd/')) {
    error.message = error.message.replace(/\/proc\/self\/fd\/\d+(\/[^',]*)?/g, path);
  }
  return error;
}

// HostFiles on node:fs, confined to one root. Atomic writes follow the classic sequence; each
// step's guarantee is noted where it happens.
import { closeSync, constants, fstatSync, fsyncSync, openSync, promises as fs, readSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { BrktError } from '../core/errors';
import type { DeviceHandle, FileInfo, HostFiles } from './types';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOENT';

export class RootedFiles implements HostFiles {
  constructor(private readonly root: string) {}

  /** Refuses paths outside the root; every method goes through here. */
  private check(path: string): string {
    const rel = relative(this.root, path);
    if (!isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
      throw new BrktError('invalid-input', `Refusing path ${path}: it is outside the root ${this.root}`);
    }
    return path;
  }

  async read(path: string) {
    return new Uint8Array(await fs.readFile(this.check(path)));
  }

  async readText(path: string) {
    return fs.readFile(this.check(path), 'utf8');
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
    this.check(path);
    const dir = dirname(path);
    await fs.mkdir(dir, { recursive: true });
    const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
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
    await fs.rename(temp, path);            // readers see the old file or the new one, never a mix
    await this.fsyncDir(dir);               // the rename itself survives a power loss
  }

  async append(path: string, data: Uint8Array | string) {
    await fs.mkdir(dirname(this.check(path)), { recursive: true });
    await fs.appendFile(path, data);
  }

  async info(path: string): Promise<FileInfo | undefined> {
    try {
      const stat = await fs.lstat(this.check(path));
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
      return (await fs.readdir(this.check(dir))).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async mkdirp(dir: string, mode?: number) {
    await fs.mkdir(this.check(dir), { recursive: true, mode });
  }

  async remove(path: string, options: { recursive?: boolean } = {}) {
    await fs.rm(this.check(path), { force: true, recursive: options.recursive ?? false });
  }

  async rename(from: string, to: string) {
    await fs.rename(this.check(from), this.check(to));
  }

  async fsyncDir(dir: string) {
    const handle = await fs.open(this.check(dir), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async symlink(target: string, path: string) {
    await fs.symlink(target, this.check(path));
  }

  async readlink(path: string) {
    try {
      return await fs.readlink(this.check(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      if (code === 'ENOENT' || code === 'EINVAL') return undefined;
      throw error;
    }
  }

  /**
   * Device I/O runs on the calling thread: table reads and writes are a few KiB, where a trip
   * through the thread pool costs more than the syscall (a signpost command did ~170 futex
   * waits for a dozen reads). Writes of large image chunks block the loop for one write each,
   * which is also what keeps an image apply's memory bounded.
   */
  async open(path: string, mode: 'r' | 'r+'): Promise<DeviceHandle> {
    const fd = openSync(this.check(path), mode);
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

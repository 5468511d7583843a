// Host side of the log bundle: logdog's scratch directory, programs writing straight into it,
// streamed reads and the archive file. Mirrors what logdog does with std::fs and Command.
import { closeSync, createReadStream, createWriteStream, openSync, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selfCommand } from './self-command';
import type { BundleIo, ByteSink, DirEntry, FileInfo } from './types';

const isMissing = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};


export function makeBundleIo(): BundleIo {
  return {
    selfCommand: selfCommand(),
    makeScratchDir: prefix => fs.mkdtemp(join(tmpdir(), prefix)),
    removeTree: path => fs.rm(path, { recursive: true, force: true }),
    mkdirp: async dir => {
      await fs.mkdir(dir, { recursive: true });
    },
    writeFile: (path, data) => fs.writeFile(path, data),
    appendFile: (path, data) => fs.appendFile(path, data),
    copyFile,
    execToFile,
    async readDir(dir) {
      try {
        const entries = await fs.readdir(dir, { withFileTypes: true });
        return entries
          .map((entry): DirEntry => ({
            name: entry.name,
            kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : 'other',
          }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch (error) {
        // Only a missing directory is "none"; a file in its place is an error (logdog: fatal).
        if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async stat(path): Promise<FileInfo | undefined> {
      try {
        const stat = await fs.stat(path);
        return { size: stat.size, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs, isFile: stat.isFile(), isDirectory: stat.isDirectory(), isSymlink: false };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async realpath(path) {
      try {
        return await fs.realpath(path);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    readStream: (path, limit) =>
      limit === 0 ? (async function* () {})() : createReadStream(path, { highWaterMark: 256 * 1024, end: limit === undefined ? undefined : limit - 1 }),
    openSink,
    httpGet,
  };
}

async function execToFile(argv: string[], outputPath: string, options: { timeoutMs?: number; cwd?: string } = {}) {
  // Created before the spawn, as upstream does: a program that cannot start leaves an empty file.
  const fd = openSync(outputPath, 'w', 0o644);
  try {
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      // Its own process group, so a timeout also stops whatever the program started.
      proc = Bun.spawn({ cmd: argv, cwd: options.cwd, stdin: 'ignore', stdout: fd, stderr: fd, detached: true });
    } catch (error) {
      return { code: 127, timedOut: false, spawnError: (error as Error).message };
    }
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL'); // the group is gone already; the child itself may not be
      }
    }, options.timeoutMs);
    const code = await proc.exited;
    if (timer) clearTimeout(timer);
    return { code, timedOut };
  } finally {
    closeSync(fd);
  }
}

/** Kernel copy, except for files that report size 0 (procfs, sysfs): those are read to EOF. */
async function copyFile(from: string, to: string) {
  const stat = await fs.stat(from);
  if (!stat.isFile()) throw new Error(`${from} is not a regular file`);
  if (stat.size > 0) return fs.copyFile(from, to);
  await pipeline(createReadStream(from), createWriteStream(to, { mode: 0o644 }));
}

async function openSink(path: string): Promise<ByteSink> {
  await fs.mkdir(dirname(path), { recursive: true });
  const handle = await fs.open(path, 'w', 0o644);
  return {
    async write(chunk) {
      let done = 0;
      while (done < chunk.length) done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    },
    async close() {
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

async function httpGet(url: string, options: { unix?: string; timeoutMs?: number }) {
  const init: RequestInit & { unix?: string } = { redirect: 'follow', keepalive: false };
  if (options.unix) init.unix = options.unix;
  if (options.timeoutMs !== undefined) init.signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    // Bun's own wording for socket errors talks about URLs and ports; say what happened.
    const code = (error as NodeJS.ErrnoException)?.code;
    if (options.unix && code === 'ENOENT') throw new Error(`no socket there (is the API server running?)`);
    if (options.unix && code === 'ECONNREFUSED') throw new Error(`connection refused`);
    throw error;
  }
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

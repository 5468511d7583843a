// Host side of the log bundle: logdog's scratch directory, programs writing straight into it,
// streamed reads and the archive file. Mirrors what logdog does with std::fs and Command.
import { closeSync, constants, openSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Confinement } from './confined';
import { selfCommand } from './self-command';
import type { BundleIo, ByteSink, DirEntry, FileInfo, OpenedFile } from './types';

const isMissing = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};


const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

/** `root`: sources under it are opened through its confinement (confined.ts). */
export function makeBundleIo(root = '/'): BundleIo {
  const confinement = new Confinement(root);
  const openFile = (path: string) => openRegular(confinement, path);
  return {
    selfCommand: selfCommand(),
    makeScratchDir: prefix => fs.mkdtemp(join(tmpdir(), prefix)),
    removeTree: path => fs.rm(path, { recursive: true, force: true }),
    mkdirp: async dir => {
      await fs.mkdir(dir, { recursive: true });
    },
    writeFile: (path, data) => fs.writeFile(path, data),
    appendFile: (path, data) => fs.appendFile(path, data),
    copyFile: (from, to) => copyFile(openFile, from, to),
    execToFile,
    async readDir(dir) {
      try {
        // Names as bytes (Bun gives no types with them): a name that is not UTF-8 must be seen as such.
        const names = await fs.readdir(dir, { encoding: 'buffer' });
        const prefix = Buffer.from(dir.endsWith('/') ? dir : `${dir}/`);
        const entries = await Promise.all(names.map(async (bytes): Promise<DirEntry | undefined> => {
          const stat = await fs.lstat(Buffer.concat([prefix, bytes])).catch(() => undefined);
          if (!stat) return undefined; // gone meanwhile
          const kind = stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
          try {
            return { name: strictUtf8.decode(bytes), kind };
          } catch {
            return { name: lossyUtf8.decode(bytes), kind, invalidName: true };
          }
        }));
        return entries
          .filter(entry => entry !== undefined)
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
    openFile,
    openSink: path => openSink(confinement, path),
    httpGet,
  };
}

async function execToFile(argv: string[], outputPath: string, options: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {}) {
  // Created before the spawn, as upstream does: a program that cannot start leaves an empty file.
  const fd = openSync(outputPath, 'w', 0o644);
  try {
    let proc: ReturnType<typeof Bun.spawn>;
    try {
      // Its own process group, so a timeout also stops whatever the program started.
      proc = Bun.spawn({ cmd: argv, cwd: options.cwd, env: options.env && { ...process.env, ...options.env }, stdin: 'ignore', stdout: fd, stderr: fd, detached: true });
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

const CHUNK_BYTES = 256 * 1024;

/**
 * Opens `path` read-only without following a link in its last place (O_NOFOLLOW; under the root,
 * no link on the way leaves it either) and checks the open file itself is a regular file.
 * O_NONBLOCK: a FIFO planted there must not hang the bundle (it is refused after fstat).
 */
async function openRegular(confinement: Confinement, path: string): Promise<OpenedFile> {
  // Outside the root: the private scratch directory, which only this process writes.
  const located = confinement.contains(path) ? confinement.locate(path, { followLast: false }) : { path, close() {} };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(located.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ELOOP' ? `${path} is a link, which is not followed` : code === 'ENOENT' ? `${path} does not exist` : (error as Error).message.replace(located.path, path));
  } finally {
    located.close();
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new Error(`${path} is not a regular file`);
  }
  const info: FileInfo = { size: stat.size, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs, isFile: true, isDirectory: false, isSymlink: false };
  return {
    info,
    async *read(limit) {
      let position = 0;
      while (position < limit) {
        const buffer = new Uint8Array(Math.min(CHUNK_BYTES, limit - position));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    },
    close: () => handle.close(),
  };
}

/**
 * Copies from the opened source; files that report size 0 (procfs, sysfs) are read to EOF.
 * The output is created new in the private scratch directory.
 */
async function copyFile(open: (path: string) => Promise<OpenedFile>, from: string, to: string) {
  const source = await open(from);
  try {
    const out = await fs.open(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      for await (const chunk of source.read(source.info.size > 0 ? source.info.size : Number.MAX_SAFE_INTEGER)) {
        let done = 0;
        while (done < chunk.length) done += (await out.write(chunk, done, chunk.length - done)).bytesWritten;
      }
    } finally {
      await out.close();
    }
  } finally {
    await source.close();
  }
}

/**
 * The archive file. Under the root (logdog's default, var/log/support) it is created through the
 * root's confinement and never through a link in its place; elsewhere it is where the caller said.
 */
async function openSink(confinement: Confinement, path: string): Promise<ByteSink> {
  let handle: fs.FileHandle;
  if (confinement.contains(path) && !confinement.isWholeHost) {
    const located = confinement.locate(path, { create: true });
    try {
      handle = await fs.open(located.path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    } finally {
      located.close();
    }
  } else {
    await fs.mkdir(dirname(path), { recursive: true });
    handle = await fs.open(path, 'w', 0o644);
  }
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

/** reqwest's default redirect policy: at most 10. */
const MAX_REDIRECTS = 10;

/** Only http and https: fetch also reads file:// (and more), which would copy host files. */
function checkScheme(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`only http and https URLs are fetched, not ${parsed.protocol.slice(0, -1)}`);
  return parsed;
}

async function httpGet(url: string, options: { unix?: string; timeoutMs?: number }) {
  // Redirects are followed here, one at a time, so that every hop's scheme is checked too.
  const init: RequestInit & { unix?: string } = { redirect: 'manual', keepalive: false };
  if (options.unix) init.unix = options.unix;
  if (options.timeoutMs !== undefined) init.signal = AbortSignal.timeout(options.timeoutMs);
  let current = checkScheme(url);
  for (let hops = 0; ; hops++) {
    let response: Response;
    try {
      response = await fetch(current, init);
    } catch (error) {
      // Bun's own wording for socket errors talks about URLs and ports; say what happened.
      const code = (error as NodeJS.ErrnoException)?.code;
      if (options.unix && code === 'ENOENT') throw new Error(`no socket there (is the API server running?)`);
      if (options.unix && code === 'ECONNREFUSED') throw new Error(`connection refused`);
      throw error;
    }
    const location = response.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(response.status) || location === null) {
      return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
    }
    await response.arrayBuffer();
    if (hops >= MAX_REDIRECTS) throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
    current = checkScheme(new URL(location, current).href);
  }
}

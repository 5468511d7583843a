// flock(2) on a lock file, non-blocking, shared or exclusive: how thar-be-updates and the API
// server serialise update commands (updates.md 6.3, api.md 8.1). Node has no flock; libc's is
// called through bun:ffi, which works inside the compiled binary.
import { closeSync, constants, openSync } from 'node:fs';
import { BrktError, messageOf } from '../core/errors';
import type { Confinement } from './confined';
import type { FileLock } from './types';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

type Flock = (fd: number, operation: number) => number;
let flock: Flock | undefined;

async function loadFlock(): Promise<Flock> {
  if (flock) return flock;
  const { dlopen, FFIType } = await import('bun:ffi');
  let lastError: unknown;
  // glibc first (Bottlerocket, Debian); musl's name for Alpine-built hosts.
  for (const name of ['libc.so.6', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1']) {
    try {
      const lib = dlopen(name, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
      flock = (fd, operation) => lib.symbols.flock(fd, operation) as number;
      return flock;
    } catch (error) {
      lastError = error;
    }
  }
  throw new BrktError('io', `Failed to load flock from the C library: ${messageOf(lastError)}`);
}

/**
 * Opens (creating) `path` and takes a non-blocking lock. Undefined when another open file holds
 * a conflicting lock. The lock belongs to this open file: another open of the same file, even in
 * this process, conflicts with it, as between processes.
 */
export async function lockFile(confinement: Confinement, path: string, mode: 'shared' | 'exclusive'): Promise<FileLock | undefined> {
  const call = await loadFlock();
  let fd: number;
  try {
    // Not truncated: a reader must not change the file that a holder opened. Entered like any
    // file under the root: a link planted there does not make brkt create a file elsewhere.
    const located = confinement.locate(path, { create: true, followLast: true });
    try {
      fd = openSync(located.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | located.noFollow, 0o644);
    } finally {
      located.close();
    }
  } catch (error) {
    if (error instanceof BrktError) throw error;
    throw new BrktError('io', `Failed to open the lock file ${path}: ${messageOf(error)}`, { cause: error });
  }
  if (call(fd, (mode === 'shared' ? LOCK_SH : LOCK_EX) | LOCK_NB) !== 0) {
    closeSync(fd);
    return undefined;
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      call(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}

/**
 * An exclusive, non-blocking flock on the directory `dir` itself (no file is created in it).
 * Undefined when another open file holds it. `/proc/locks` shows the holder's pid, which is how
 * `brkt reboot` recognises the serving process (`processHoldsLock`).
 */
export async function lockDirectory(confinement: Confinement, dir: string): Promise<FileLock | undefined> {
  const call = await loadFlock();
  const held = confinement.openDir(dir);
  let fd: number;
  try {
    fd = openSync(held.path, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw new BrktError('io', `Failed to open ${dir} to lock it: ${messageOf(error)}`, { cause: error });
  } finally {
    held.close();
  }
  if (call(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return undefined;
  }
  let locked = true;
  return {
    path: dir,
    release() {
      if (!locked) return;
      locked = false;
      call(fd, LOCK_UN);
      closeSync(fd);
    },
  };
}

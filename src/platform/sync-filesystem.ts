// syncfs(2) of the filesystem that holds a path: one call makes a whole batch of unsynced writes
// durable, where an fsync per file would cost one journal commit each. Node has no binding, so
// libc's is called through bun:ffi; where that cannot load, coreutils' `sync -f` does the same.
import { closeSync, constants, openSync } from 'node:fs';
import { BrktError } from '../core/errors';
import { runProcess } from './process';

type SyncFs = (fd: number) => number;

let native: SyncFs | null | undefined;

async function loadNative(): Promise<SyncFs | null> {
  if (native !== undefined) return native;
  try {
    const { dlopen, FFIType } = await import('bun:ffi');
    const libc = dlopen('libc.so.6', { syncfs: { args: [FFIType.i32], returns: FFIType.i32 } });
    native = fd => libc.symbols.syncfs(fd) as number;
  } catch {
    native = null; // not glibc, or no FFI: fall back to the command
  }
  return native;
}

export async function syncFilesystem(path: string): Promise<void> {
  const syncfs = await loadNative();
  if (syncfs) {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      if (syncfs(fd) === 0) return;
    } finally {
      closeSync(fd);
    }
  }
  const result = await runProcess(['sync', '-f', path]);
  if (result.code !== 0) throw new BrktError('io', `Failed to sync the filesystem of ${path}: ${result.stderr.trim() || `sync exited ${result.code}`}`);
}

// The floor a durable commit of one setting is measured against: write + fsync + rename of one
// small file, and the same plus the directory fsync that makes the rename survive a power loss.
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure';

/** Medians over `runs` writes in `dir`. */
export function commitFloor(dir: string, runs: number): { floor: number; withDir: number } {
  const times: number[] = [];
  const withDir: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const temp = join(dir, `floor-${i}.tmp`);
    const fd = openSync(temp, 'w');
    writeSync(fd, `"value ${i}"`);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, join(dir, 'floor'));
    times.push(performance.now() - start);
    const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(dirFd);
    closeSync(dirFd);
    withDir.push(performance.now() - start);
  }
  rmSync(join(dir, 'floor'), { force: true });
  return { floor: median(times), withDir: median(withDir) };
}

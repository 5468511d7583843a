// The binary under test and a scratch sandbox shared by the benchmarks of one run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const BRKT = join(import.meta.dir, '../dist/brkt');
export const SCRATCH = join(import.meta.dir, '../.bench');

let root: string | undefined;

/** A sandbox created by `brkt dev init` in .bench/sandbox (fresh per run). */
export async function sandboxRoot(): Promise<string> {
  if (root) return root;
  mkdirSync(SCRATCH, { recursive: true });
  root = join(SCRATCH, `sandbox-${process.pid}`);
  if (!existsSync(root)) {
    const init = Bun.spawnSync({ cmd: [BRKT, 'dev', 'init', root] });
    if (init.exitCode !== 0) throw new Error(`brkt dev init failed: ${init.stderr.toString()}`);
  }
  return root;
}

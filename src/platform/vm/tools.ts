// Host programs `brkt dev vm` runs, the Debian packages that provide them, and a runner that
// turns a failed program into one line naming it.
import { BrktError } from '../../core/errors';
import { runProcess } from '../process';
import type { ExecOptions } from '../types';

export const VM_TOOLS = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'apt-get': 'apt',
  'dpkg-deb': 'dpkg',
  mmdebstrap: 'mmdebstrap',
  mke2fs: 'e2fsprogs',
  busybox: 'busybox-static',
  cpio: 'cpio',
  tar: 'tar',
} as const;

export type VmTool = keyof typeof VM_TOOLS;

/** Throws one line naming the Debian package when `tool` is not on PATH. */
export function requireTool(tool: VmTool): string {
  const path = Bun.which(tool);
  if (!path) throw new BrktError('unavailable', `${tool} is not installed: apt-get install ${VM_TOOLS[tool]}`);
  return path;
}

/** Runs a program; a non-zero exit becomes an `io` error with its last stderr line. */
export async function run(argv: string[], options: ExecOptions = {}): Promise<string> {
  const result = await runProcess(argv, options);
  if (result.code !== 0) {
    const last = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `exit code ${result.code}`;
    throw new BrktError('io', `${argv.slice(0, 2).join(' ')} failed: ${last}`);
  }
  return result.stdout;
}

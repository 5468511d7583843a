// The VM's boot stage as an initramfs (newc cpio): busybox, the kernel modules, this brkt binary
// with the C libraries it links, and the /init of core/vm/boot-stage-init. Cached under a digest
// of all of those, so a new brkt build gets a new boot stage and an unchanged one is reused.
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bootStageInit } from '../../core/vm/boot-stage-init';
import { cached, sha256File, sha256Text } from './cache';
import type { KernelFiles } from './kernel';
import { requireTool, run } from './tools';

const APPLETS = ['sh', 'mount', 'umount', 'insmod', 'switch_root', 'reboot', 'sleep', 'cat', 'mkdir', 'cp', 'mv', 'rm', 'echo'];

/** The shared libraries `ldd` lists for `binary` (absolute paths). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await run(['ldd', binary]);
  return [...out.matchAll(/(\/\S+) \(0x/g)].map(m => m[1]!);
}

export async function ensureInitramfs(cache: string, kernel: KernelFiles, brkt: string, log: (line: string) => void): Promise<{ path: string; digest: string }> {
  const busybox = requireTool('busybox');
  requireTool('cpio');
  const init = bootStageInit(kernel.modules);
  const libraries = await sharedLibraries(brkt);
  const digest = sha256Text(kernel.digest, await sha256File(brkt), await sha256File(busybox), init, ...libraries);
  const entry = await cached(join(cache, 'initramfs'), `${digest.slice(0, 16)}.cpio`, async temp => {
    log('Building the boot stage (initramfs)');
    const tree = `${temp}.d`;
    try {
      for (const dir of ['bin', 'dev', 'proc', 'sys', 'newroot', 'rw', 'lib/modules']) await mkdir(join(tree, dir), { recursive: true });
      await copyFile(busybox, join(tree, 'bin/busybox'));
      for (const applet of APPLETS) await symlink('busybox', join(tree, 'bin', applet));
      await copyFile(brkt, join(tree, 'bin/brkt'));
      await chmod(join(tree, 'bin/brkt'), 0o755);
      for (const library of libraries) {
        await mkdir(join(tree, dirname(library)), { recursive: true });
        await copyFile(library, join(tree, library));
      }
      for (const module of kernel.modules) await copyFile(join(kernel.dir, 'modules', `${module}.ko`), join(tree, 'lib/modules', `${module}.ko`));
      await writeFile(join(tree, 'init'), init, { mode: 0o755 });
      await run(['sh', '-c', 'cd "$1" && find . | cpio -o -H newc --quiet > "$2"', 'sh', tree, temp]);
    } finally {
      await run(['rm', '-rf', tree]);
    }
  });
  return { path: entry.path, digest };
}

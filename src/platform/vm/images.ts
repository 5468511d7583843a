// Release images of the VM: one Debian tree with brkt installed (`brkt install`) and the agent,
// turned into ext4 images with `mke2fs -d` (ROOT without a journal, as upstream builds it), a BOOT
// image holding the kernel, and a HASH image naming the root image's digest.
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BrktError } from '../../core/errors';
import { guestFiles, vmOsRelease } from '../../core/vm/guest-files';
import { BOOT_IMAGE_MiB, rootImageMiB } from '../../core/vm/layout';
import { ENABLE_DIR, UNIT_DIR, UNITS } from '../../core/install/units';
import { sha256File } from './cache';
import { run } from './tools';

export interface ReleaseImageFiles {
  boot: string;
  root: string;
  hash: string;
}

/**
 * Extracts the userland and installs brkt (`brkt --root TREE install`), the agent and the boot
 * files. `maskBrkt` (a benchmark's reference image) masks every unit and drop-in brkt installs
 * and boots Debian's multi-user.target instead.
 */
export async function buildGuestTree(tree: string, options: { tarball: string; brkt: string; rootJson: Uint8Array; machineId: string; maskBrkt?: boolean }): Promise<void> {
  await rm(tree, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  await run(['tar', '-C', tree, '--numeric-owner', '-xpf', options.tarball]);
  const installed = await Bun.spawn({ cmd: [options.brkt, '--root', tree, 'install'], stdout: 'pipe', stderr: 'pipe', env: { ...process.env, BRKT_ROOT: tree } });
  if ((await installed.exited) !== 0) {
    throw new BrktError('io', `brkt install into the image tree failed: ${(await new Response(installed.stderr).text()).trim()}`);
  }
  const extra = guestFiles({ machineId: options.machineId, hostname: 'brkt-vm' });
  for (const file of extra.files) {
    const path = join(tree, file.path);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true });
    await writeFile(path, file.content);
    await chmod(path, file.mode ?? 0o644);
  }
  for (const link of extra.links) {
    const path = join(tree, link.path);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true });
    await symlink(link.target, path);
  }
  if (options.maskBrkt) {
    for (const unit of UNITS) {
      const path = join(tree, ENABLE_DIR, unit.name);
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
      await symlink('/dev/null', path);
    }
    await rm(join(tree, ENABLE_DIR, 'default.target'), { force: true });
    await symlink(`${UNIT_DIR}/multi-user.target`, join(tree, ENABLE_DIR, 'default.target'));
  }
  await mkdir(join(tree, 'usr/share/updog'), { recursive: true });
  await writeFile(join(tree, 'usr/share/updog/root.json'), options.rootJson);
  await mkdir(join(tree, 'var/lib/bottlerocket'), { recursive: true });
  await mkdir(join(tree, 'local'), { recursive: true });
  // The serial console logs in as root without a password: a development VM, no network.
  const shadow = join(tree, 'etc/shadow');
  await writeFile(shadow, (await readFile(shadow, 'utf8')).replace(/^root:[^:]*:/m, 'root::'));
}

async function treeBytes(tree: string): Promise<number> {
  const out = await run(['du', '-s', '--block-size=1', tree]);
  return Number(out.split(/\s/)[0]);
}

/** Writes the release's os-release into the tree, then its ROOT, BOOT and HASH images into `outDir`. */
export async function buildReleaseImages(tree: string, outDir: string, options: { version: string; variant: string; vmlinuz: string; kernelConfig: string }): Promise<ReleaseImageFiles> {
  await mkdir(outDir, { recursive: true });
  const osRelease = vmOsRelease(options.version, options.variant);
  await writeFile(join(tree, 'usr/lib/os-release'), osRelease);
  await rm(join(tree, 'etc/os-release'), { force: true });
  await symlink('../usr/lib/os-release', join(tree, 'etc/os-release'));
  const root = join(outDir, `root-${options.version}.ext4`);
  const sizeMiB = rootImageMiB(await treeBytes(tree));
  await rm(root, { force: true });
  await run(['mke2fs', '-q', '-F', '-t', 'ext4', '-O', '^has_journal', '-b', '4096', '-L', 'BOTTLEROCKET-ROOT', '-E', 'root_owner=0:0', '-d', tree, root, `${sizeMiB}M`]);
  const bootTree = join(outDir, `boot-${options.version}.d`);
  await rm(bootTree, { recursive: true, force: true });
  await mkdir(bootTree);
  await run(['cp', options.vmlinuz, join(bootTree, 'vmlinuz')]);
  await run(['cp', options.kernelConfig, join(bootTree, 'config')]);
  const boot = join(outDir, `boot-${options.version}.ext4`);
  await rm(boot, { force: true });
  await run(['mke2fs', '-q', '-F', '-t', 'ext4', '-O', '^has_journal', '-L', 'BOTTLEROCKET-BOOT', '-d', bootTree, boot, `${BOOT_IMAGE_MiB}M`]);
  await rm(bootTree, { recursive: true, force: true });
  // No device-mapper in the VM's kernel path: the HASH partition holds the root image's digest.
  const hash = join(outDir, `root-${options.version}.verity`);
  await writeFile(hash, `sha256 ${await sha256File(root)} ${options.version}\n`.padEnd(4096, '\0'));
  return { boot, root, hash };
}

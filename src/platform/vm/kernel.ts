// The VM's kernel: Debian's linux-image-cloud-amd64, resolved to its versioned image package,
// fetched with `apt-get download`, and unpacked with dpkg-deb into the cache under the .deb's
// sha256: the kernel, its config and the modules the boot stage loads, in load order.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BrktError } from '../../core/errors';
import { BOOT_STAGE_MODULES, loadOrder, moduleDepends } from '../../core/vm/kernel-modules';
import { cached, exists, sha256File } from './cache';
import { requireTool, run } from './tools';

export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';

export interface KernelFiles {
  dir: string;
  /** sha256 of the .deb it came from. */
  digest: string;
  vmlinuz: string;
  config: string;
  /** Module files (`<name>.ko`) in load order. */
  modules: string[];
  packageName: string;
}

/** The versioned package the metapackage depends on, and its candidate version. */
async function resolvePackage(): Promise<{ name: string; version: string }> {
  const depends = await run(['apt-cache', 'depends', KERNEL_METAPACKAGE]);
  const name = /Depends:\s*(linux-image-\S+)/.exec(depends)?.[1];
  if (!name) throw new BrktError('not-found', `apt-cache depends ${KERNEL_METAPACKAGE} names no linux-image package (run apt-get update)`);
  const show = await run(['apt-cache', 'show', '--no-all-versions', name]);
  const version = /^Version:\s*(\S+)/m.exec(show)?.[1];
  if (!version) throw new BrktError('not-found', `apt-cache show ${name} gives no version`);
  return { name, version };
}

async function findFiles(dir: string, suffix: string, found = new Map<string, string>()): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await findFiles(path, suffix, found);
    else if (entry.name.endsWith(suffix)) found.set(entry.name.slice(0, -suffix.length), path);
  }
  return found;
}

export async function ensureKernel(cache: string, log: (line: string) => void): Promise<KernelFiles> {
  requireTool('apt-get');
  requireTool('dpkg-deb');
  const { name, version } = await resolvePackage();
  const deb = await cached(join(cache, 'debs'), `${name}_${version.replace(/:/g, '%3a')}_amd64.deb`, async temp => {
    log(`Downloading ${name} ${version} with apt-get`);
    const scratch = await mkdtemp(join(tmpdir(), 'brkt-apt-'));
    try {
      await run(['apt-get', 'download', '-q', `${name}=${version}`], { cwd: scratch });
      const file = (await readdir(scratch)).find(f => f.endsWith('.deb'));
      if (!file) throw new BrktError('io', `apt-get download ${name} wrote no .deb`);
      await copyFile(join(scratch, file), temp);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
  const digest = await sha256File(deb.path);
  const entry = await cached(join(cache, 'kernel'), digest, async temp => {
    log(`Unpacking ${basename(deb.path)}`);
    const unpacked = `${temp}.deb`;
    await run(['dpkg-deb', '-x', deb.path, unpacked]);
    try {
      await mkdir(join(temp, 'modules'), { recursive: true });
      const boot = await readdir(join(unpacked, 'boot'));
      const vmlinuz = boot.find(f => f.startsWith('vmlinuz-'));
      const config = boot.find(f => f.startsWith('config-'));
      if (!vmlinuz || !config) throw new BrktError('not-found', `${basename(deb.path)} holds no boot/vmlinuz-*`);
      await copyFile(join(unpacked, 'boot', vmlinuz), join(temp, 'vmlinuz'));
      await copyFile(join(unpacked, 'boot', config), join(temp, 'config'));
      const modules = await findFiles(join(unpacked, 'lib/modules'), '.ko');
      const depends = new Map<string, string[]>();
      const dependsOf = (module: string) => depends.get(module);
      for (const [module, path] of modules) depends.set(module, moduleDepends(new Uint8Array(await readFile(path))));
      const order = loadOrder(BOOT_STAGE_MODULES, dependsOf);
      for (const module of order) await copyFile(modules.get(module)!, join(temp, 'modules', `${module}.ko`));
      await writeFile(join(temp, 'modules.order'), order.join('\n') + '\n');
      await writeFile(join(temp, 'package'), `${name} ${version}\n`);
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  });
  const order = (await readFile(join(entry.path, 'modules.order'), 'utf8')).trim().split('\n');
  if (!(await exists(join(entry.path, 'vmlinuz')))) throw new BrktError('io', `The kernel cache entry ${entry.path} is incomplete; remove it`);
  return { dir: entry.path, digest, vmlinuz: join(entry.path, 'vmlinuz'), config: join(entry.path, 'config'), modules: order, packageName: `${name} ${version}` };
}

// `brkt dev vm`: a directory holding a QEMU virtual machine host. Creating it builds (or takes
// from the cache) the kernel, the userland and the boot stage, makes release images, writes the
// OS disk and a signed repository; starting it makes the config drive and the repository drive.
import { copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BrktError } from '../../core/errors';
import { addRelease } from '../../core/repo/release';
import { repoLayout, RepoWriter } from '../../core/repo/repository';
import { SANDBOX_RELEASES } from '../../core/repo/sandbox-repo';
import { buildIdOf, SANDBOX_VERSION } from '../../core/sandbox/init';
import { osDiskBytes, osDiskPartitions, writeOsDisk } from '../../core/signpost/os-disk-layout';
import { findSets, imagePartitionPath } from '../../core/signpost/sets';
import { partitionRange } from '../../core/signpost/state';
import { parseVersion } from '../../core/updates/version';
import { CONFIG_DRIVE_FILE, GUEST_REPO_DIR } from '../../core/vm/boot-stage-init';
import { VM_SIZES } from '../../core/vm/layout';
import { qemuArgs, vmFiles, type Accel, type VmFiles } from '../../core/vm/qemu-args';
import { makePlatform } from '../index';
import { cacheDir, exists, sha256File } from './cache';
import { buildGuestTree, buildReleaseImages, type ReleaseImageFiles } from './images';
import { ensureInitramfs } from './initramfs';
import { ensureKernel } from './kernel';
import { chooseAccel, qmp, runningPid, startQemu, waitForExit } from './qemu';
import { requireTool, run } from './tools';
import { ensureUserland } from './userland';
import { openAgent, type AgentClient } from './agent-client';

export interface VmMarker {
  kind: 'brkt-dev-vm';
  variant: string;
  kernel: string;
  created: string;
}

const YEAR_MS = 365 * 86_400_000;
const MiB = 1024 * 1024;
const DATA_DISK_MiB = 2048;

/** The compiled brkt that goes into the images and the boot stage. */
export function brktBinary(): string {
  const main = Bun.main;
  if (main.startsWith('/$bunfs/')) return process.execPath;
  throw new BrktError('usage', 'brkt dev vm puts this brkt into the VM: run the compiled binary (bun scripts/build.ts writes dist/brkt)');
}

async function readMarker(files: VmFiles): Promise<VmMarker | undefined> {
  const text = await readFile(files.marker, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const marker = JSON.parse(text) as VmMarker;
  return marker.kind === 'brkt-dev-vm' ? marker : undefined;
}

export async function vmOf(dir: string): Promise<{ files: VmFiles; marker: VmMarker }> {
  const files = vmFiles(resolve(dir));
  const marker = await readMarker(files);
  if (!marker) throw new BrktError('usage', `${files.dir} is not a brkt dev vm (no vm.json): create one with brkt dev vm create DIR`);
  return { files, marker };
}

async function writeImageAt(disk: string, image: string, offset: number): Promise<void> {
  await run(['dd', `if=${image}`, `of=${disk}`, 'bs=4M', `seek=${offset}`, 'oflag=seek_bytes', 'conv=notrunc,sparse', 'status=none']);
}

/** `DIR/disk.img`: the GPT, set A's images, an empty PRIVATE file system. */
async function writeDisk(path: string, images: ReleaseImageFiles): Promise<void> {
  const parts = osDiskPartitions(VM_SIZES);
  await writeFile(path, '');
  await run(['truncate', '-s', String(osDiskBytes(parts)), path]);
  const platform = makePlatform({ root: '/', env: {} });
  const disk = await platform.openDisk(path, 'r+');
  let ranges;
  try {
    const table = await writeOsDisk(disk, path, parts);
    const sets = findSets(table, number => imagePartitionPath(path, number));
    ranges = { boot: partitionRange({ table }, sets.A.boot), root: partitionRange({ table }, sets.A.root), hash: partitionRange({ table }, sets.A.hash), private: partitionRange({ table }, sets.private) };
    await disk.sync();
  } finally {
    await disk.close();
  }
  for (const kind of ['boot', 'root', 'hash'] as const) {
    const size = (await stat(images[kind])).size;
    if (size > ranges[kind].length) throw new BrktError('invalid-input', `The ${kind} image ${images[kind]} (${size} bytes) does not fit its ${ranges[kind].length}-byte partition`);
    await writeImageAt(path, images[kind], ranges[kind].offset);
  }
  await run(['mke2fs', '-q', '-F', '-t', 'ext4', '-L', 'BOTTLEROCKET-PRIVATE', '-E', `offset=${ranges.private.offset}`, path, `${ranges.private.length / 1024}k`]);
}

async function* fileChunks(path: string) {
  const file = Bun.file(path);
  for await (const chunk of file.stream()) yield chunk;
}

/** The user data a new VM starts with: the update settings point at the repository drive. */
export const DEFAULT_USER_DATA = `# User data of this VM, read on every start as the VM's config drive.
[settings]
motd = "Welcome to brkt dev vm"

[settings.updates]
metadata-base-url = "file://${GUEST_REPO_DIR}/metadata/"
targets-base-url = "file://${GUEST_REPO_DIR}/targets/"
`;

export async function createVm(dir: string, options: { variant: string; log: (line: string) => void; maskBrkt?: boolean }): Promise<VmFiles> {
  const files = vmFiles(resolve(dir));
  const { log } = options;
  const entries = await readdir(files.dir).catch(() => [] as string[]);
  if (entries.length > 0 && !(await readMarker(files))) {
    throw new BrktError('usage', `${files.dir} is not empty and not a brkt dev vm: choose a new directory`);
  }
  if (await readMarker(files)) throw new BrktError('conflict', `${files.dir} already holds a VM; delete the directory to create it again`);
  for (const tool of ['qemu-system-x86_64', 'mke2fs', 'mmdebstrap', 'apt-get', 'dpkg-deb', 'busybox', 'cpio'] as const) requireTool(tool);
  const brkt = brktBinary();
  const cache = cacheDir();
  await mkdir(join(files.dir, 'run'), { recursive: true });
  const kernel = await ensureKernel(cache, log);
  log(`kernel: ${kernel.packageName}`);
  const userland = await ensureUserland(cache, log);
  const initramfs = await ensureInitramfs(cache, kernel, brkt, log);
  await copyFile(kernel.vmlinuz, files.kernel);
  await link(initramfs.path, files.initramfs).catch(() => copyFile(initramfs.path, files.initramfs));

  // The repository first: its root goes into every image as the trusted root.
  const layout = repoLayout(join(files.dir, 'repo'));
  const expiry = new Date(Date.now() + YEAR_MS);
  const hostFiles = makePlatform({ root: '/', env: {} }).files;
  const repo = await RepoWriter.create(hostFiles, layout, { expires: { root: expiry, targets: expiry, snapshot: expiry, timestamp: expiry } });
  const build = join(files.dir, 'build');
  const tree = join(build, 'tree');
  log('Building the image tree (Debian userland, brkt install, agent)');
  await buildGuestTree(tree, { tarball: userland.tarball, brkt, rootJson: await repo.initialRoot(), machineId: randomBytes(16).toString('hex'), maskBrkt: options.maskBrkt });
  const releases = [SANDBOX_VERSION, ...SANDBOX_RELEASES];
  for (const version of releases) {
    log(`Building release ${version} (ext4 images)`);
    const images = await buildReleaseImages(tree, join(build, 'images'), { version, variant: options.variant, vmlinuz: kernel.vmlinuz, kernelConfig: kernel.config });
    if (version === SANDBOX_VERSION) {
      await writeDisk(files.disk, images);
      continue;
    }
    await addRelease(repo, {
      variant: options.variant,
      arch: 'x86_64',
      version: parseVersion(version),
      buildId: buildIdOf(version, options.variant),
      images: { boot: fileChunks(images.boot), root: fileChunks(images.root), hash: fileChunks(images.hash) },
    }, { targets: expiry, snapshot: expiry, timestamp: expiry });
  }
  // Each release step has a (here empty) migrations entry, as upstream manifests do.
  const chain = releases.map(version => parseVersion(version));
  const manifest = await repo.readManifest();
  await repo.writeManifest({ ...manifest, migrations: chain.slice(1).map((to, i) => ({ from: chain[i]!, to, names: [] })) });
  await repo.publish({ targets: expiry, snapshot: expiry, timestamp: expiry });
  await rm(build, { recursive: true, force: true });
  // The data disk, as upstream's split layout has it: one file system, grown by nobody here.
  await writeFile(files.dataDisk, '');
  await run(['truncate', '-s', `${DATA_DISK_MiB}M`, files.dataDisk]);
  await run(['mke2fs', '-q', '-F', '-t', 'ext4', '-L', 'BOTTLEROCKET-DATA', files.dataDisk]);
  const userData = join(files.dir, 'user-data.toml');
  if (!(await exists(userData))) await writeFile(userData, DEFAULT_USER_DATA);
  const marker: VmMarker = { kind: 'brkt-dev-vm', variant: options.variant, kernel: kernel.packageName, created: new Date().toISOString() };
  await writeFile(files.marker, JSON.stringify(marker, null, 2) + '\n');
  return files;
}

/** A read-only ext4 image of `source` (a directory) for a VM drive. */
async function driveImage(source: string, image: string, label: string): Promise<void> {
  const bytes = Number((await run(['du', '-s', '--block-size=1', source])).split(/\s/)[0]);
  const sizeMiB = Math.max(8, Math.ceil((bytes * 1.1) / MiB) + 8);
  await rm(image, { force: true });
  await run(['mke2fs', '-q', '-F', '-t', 'ext4', '-O', '^has_journal', '-L', label, '-d', source, image, `${sizeMiB}M`]);
}

/** The config drive (user-data.toml) and the repository drive (metadata and targets, no keys). */
async function buildDrives(files: VmFiles): Promise<void> {
  const stage = join(files.dir, 'run/stage');
  await rm(stage, { recursive: true, force: true });
  await mkdir(join(stage, 'user-data'), { recursive: true });
  const userData = join(files.dir, 'user-data.toml');
  if (await exists(userData)) await copyFile(userData, join(stage, 'user-data', CONFIG_DRIVE_FILE));
  await driveImage(join(stage, 'user-data'), files.userDataDrive, 'brkt-user-data');
  await mkdir(join(stage, 'repo'));
  for (const sub of ['metadata', 'targets']) await run(['cp', '-al', join(files.dir, 'repo', sub), join(stage, 'repo', sub)]);
  await driveImage(join(stage, 'repo'), files.repoDrive, 'brkt-repo');
  await rm(stage, { recursive: true, force: true });
}

export interface StartOptions {
  log: (line: string) => void;
  memoryMiB?: number;
  cpus?: number;
  timeoutMs?: number;
  /** Kernel command line instead of the default. */
  cmdline?: string;
  /** What "booted" means: the API answers (default), or a systemd unit is active (for reference boots). */
  until?: { unit: string };
}

export async function startVm(dir: string, options: StartOptions): Promise<{ accel: Accel; bootId: string; pid: number; bootMs: number }> {
  const { files } = await vmOf(dir);
  requireTool('qemu-system-x86_64');
  if (await runningPid(files.pid)) throw new BrktError('conflict', `The VM in ${files.dir} is already running`);
  const cache = cacheDir();
  const kernelDigest = await sha256File(files.kernel);
  const accel = await chooseAccel(cache, files.kernel, kernelDigest, options.log);
  await mkdir(join(files.dir, 'run'), { recursive: true });
  await buildDrives(files);
  for (const fifo of [`${files.agent}.in`, `${files.agent}.out`]) {
    await rm(fifo, { force: true });
    await run(['mkfifo', '-m', '0600', fifo]);
  }
  await rm(files.qmp, { force: true });
  await rm(files.console, { force: true });
  await rm(files.bootId, { force: true });
  const poweredOn = performance.now();
  await startQemu(qemuArgs(files, { accel, memoryMiB: options.memoryMiB ?? 1536, cpus: options.cpus ?? 2, cmdline: options.cmdline }));
  const pid = await runningPid(files.pid);
  if (!pid) throw new BrktError('io', `qemu did not start the VM in ${files.dir} (see ${files.consoleLog})`);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const bootId = options.until ? await waitForUnit(files, options.until.unit, timeoutMs) : await waitForApi(files, { timeoutMs });
  return { accel, bootId, pid, bootMs: performance.now() - poweredOn };
}

/** Waits until `unit` is active in the VM; returns the boot id. */
async function waitForUnit(files: VmFiles, unit: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const agent = await openAgent(files.agent, join(files.dir, 'run/agent.lock'));
  const ignore = () => {};
  try {
    while (Date.now() < deadline) {
      if (!(await runningPid(files.pid))) throw new BrktError('unavailable', `The VM in ${files.dir} stopped while booting (see ${files.consoleLog})`);
      const bootId = await agent.ping(2000);
      if (!bootId) continue;
      if ((await agent.exec(['systemctl', 'is-active', '--quiet', unit], bootId, { stdout: ignore, stderr: ignore })) === 0) {
        await writeFile(files.bootId, bootId + '\n');
        return bootId;
      }
      await Bun.sleep(250);
    }
    throw new BrktError('unavailable', `${unit} did not become active in the VM in ${files.dir} within ${Math.round(timeoutMs / 1000)} s`);
  } finally {
    agent.close();
  }
}

/** Waits until the agent answers (in a boot other than `notBoot`) and the API in the VM answers. */
export async function waitForApi(files: VmFiles, options: { timeoutMs: number; notBoot?: string }): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  const agent = await openAgent(files.agent, join(files.dir, 'run/agent.lock'));
  try {
    let last = 'the agent did not answer';
    while (Date.now() < deadline) {
      if (!(await runningPid(files.pid))) throw new BrktError('unavailable', `The VM in ${files.dir} stopped while waiting for its API (see ${files.consoleLog})`);
      const bootId = await agent.ping(2000);
      if (!bootId || bootId === options.notBoot) continue;
      const status = await agent.apiReady(5000);
      if (status?.ready) {
        await writeFile(files.bootId, bootId + '\n');
        return bootId;
      }
      last = status ? `the API does not answer yet (${status.detail})` : 'the agent did not answer';
      await Bun.sleep(250);
    }
    throw new BrktError('unavailable', `The API in the VM in ${files.dir} did not answer in ${Math.round(options.timeoutMs / 1000)} s: ${last}`);
  } finally {
    agent.close();
  }
}

export async function recordedBootId(files: VmFiles): Promise<string | undefined> {
  return (await readFile(files.bootId, 'utf8').catch(() => undefined))?.trim() || undefined;
}

async function runningAgent(dir: string): Promise<{ files: VmFiles; agent: AgentClient; bootId: string }> {
  const { files } = await vmOf(dir);
  if (!(await runningPid(files.pid))) throw new BrktError('conflict', `The VM in ${files.dir} is not running: start it with brkt dev vm start ${dir}`);
  const agent = await openAgent(files.agent, join(files.dir, 'run/agent.lock'));
  const bootId = await agent.ping(30_000);
  if (!bootId) {
    agent.close();
    throw new BrktError('unavailable', `The agent in the VM in ${files.dir} does not answer (the VM may be booting: brkt dev vm wait ${dir})`);
  }
  return { files, agent, bootId };
}

/** Runs `argv` as root in the VM; output streams to the callbacks. 255 when the VM rebooted meanwhile. */
export async function execInVm(dir: string, argv: string[], output: { stdout(data: Uint8Array): void; stderr(data: Uint8Array): void }): Promise<{ code: number; rebooted: boolean }> {
  const { agent, bootId } = await runningAgent(dir);
  try {
    const result = await agent.exec(argv, bootId, output);
    return result === 'rebooted' ? { code: 255, rebooted: true } : { code: result, rebooted: false };
  } finally {
    agent.close();
  }
}

export async function waitVm(dir: string, timeoutMs: number): Promise<string> {
  const { files } = await vmOf(dir);
  if (!(await runningPid(files.pid))) throw new BrktError('conflict', `The VM in ${files.dir} is not running: start it with brkt dev vm start ${dir}`);
  return waitForApi(files, { timeoutMs, notBoot: await recordedBootId(files) });
}

/** Clean shutdown (systemctl poweroff in the guest, else ACPI power button) or, with `kill`, a power cut. */
export async function stopVm(dir: string, options: { kill: boolean; timeoutMs?: number; log: (line: string) => void }): Promise<'stopped' | 'not running'> {
  const { files } = await vmOf(dir);
  const pid = await runningPid(files.pid);
  if (!pid) return 'not running';
  if (options.kill) {
    await qmp(files.qmp, 'quit').catch(() => process.kill(pid, 'SIGKILL'));
  } else {
    const agent = await openAgent(files.agent, join(files.dir, 'run/agent.lock'));
    try {
      const bootId = await agent.ping(5000);
      if (bootId) {
        const ignore = () => {};
        await Promise.race([agent.exec(['systemctl', 'poweroff'], bootId, { stdout: ignore, stderr: ignore }), waitForExit(pid, 120_000)]);
      } else {
        await qmp(files.qmp, 'system_powerdown');
      }
    } finally {
      agent.close();
    }
  }
  if (!(await waitForExit(pid, options.timeoutMs ?? 120_000))) {
    options.log(`The VM did not power off in time; cutting its power`);
    await qmp(files.qmp, 'quit').catch(() => process.kill(pid, 'SIGKILL'));
    await waitForExit(pid, 10_000);
  }
  await rm(files.pid, { force: true });
  return 'stopped';
}

// Chooses the platform adapter: the real host when the root is `/`, a sandbox otherwise. Only
// the path table is loaded eagerly; every other part loads on first use (see lazy.ts).
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { hostPaths, underRoot } from './paths';
import { chooseRoot } from './root';
import { lazyMethods } from './lazy';
import { selfCommand } from './self-command';
import type { Confinement } from './confined';
import type { BundleIo, Fetcher, HostFiles, Imds, Platform } from './types';
import type { ContainerRuntime, UnitManager } from './container-types';

export interface PlatformOptions {
  root?: string;
  socket?: string;
  env?: Record<string, string | undefined>;
}

/** EC2's link-local instance-metadata address. */
const EC2_IMDS = 'http://169.254.169.254';

const processes = () => import('./process');
const blockParty = () => import('./block-party');
const osDisks = () => import('./os-disk');
/** Restart commands that are brkt roles run in a sandbox too: they only write under the root. */
const SANDBOX_ROLES = ['host-containers', 'bootstrap-containers'];

export function makePlatform(options: PlatformOptions = {}): Platform {
  const env = options.env ?? process.env;
  const root = chooseRoot(options.root, env);
  const kind = root === '/' ? 'host' : 'sandbox';
  const paths = hostPaths(root, options.socket ?? env.BRKT_SOCKET);
  const files = lazyMethods<HostFiles>(() => import('./files').then(m => new m.RootedFiles(root)));
  let confined: Promise<Confinement> | undefined;
  const confinement = () => (confined ??= import('./confined').then(m => new m.Confinement(root)));
  const blockRoots = () => ({
    sys: env.BRKT_SYSFS ?? '/sys',
    dev: env.BRKT_DEVFS ?? '/dev',
    cmdline: env.BRKT_CMDLINE ?? '/proc/cmdline',
    rootPath: env.BRKT_RUNNING_ROOT ?? '/',
  });
  const platform: Platform = {
    kind,
    paths,
    files,
    path: rel => underRoot(root, rel),
    env: name => env[name],
    exec: async (argv, execOptions) => (await processes()).runProcess(argv, execOptions),
    async runRestartCommand(service, argv, changedKeys, restartOptions) {
      // Upstream thar-be-settings passes the changed keys on (host-containers reads them).
      // One variable holds at most 128 KiB (MAX_ARG_STRLEN); beyond that, none means "all".
      const changed = changedKeys.join(' ');
      const childEnv = { ...env, CHANGED_SETTINGS: changed.length < 100_000 ? changed : '' } as Record<string, string>;
      if (kind === 'host') return (await processes()).runProcess(argv, { timeoutMs: restartOptions?.timeoutMs, env: childEnv });
      // They read their settings through the API: with none serving, they are logged like the rest.
      const role = basename(argv[0] ?? '');
      const ran = SANDBOX_ROLES.includes(role) && (await (await import('./api-socket')).isLive(paths.apiSocket));
      const line = JSON.stringify({ time: new Date().toISOString(), service, command: argv, changedKeys, ...(ran ? { ran } : {}) });
      await files.append(paths.restartLog, line + '\n');
      if (ran) return (await processes()).runProcess([...selfCommand(), role, ...argv.slice(1)], { env: { ...childEnv, BRKT_ROOT: root } });
      return { code: 0, stdout: '', stderr: '', timedOut: false };
    },
    async osDisk() {
      const override = env.BRKT_DISK;
      if (override) return resolve(override);
      return kind === 'host' ? (await blockParty()).osDiskOfRunningRoot(blockRoots()) : paths.disk;
    },
    openDisk: async (path, mode) => (await osDisks()).openAnywhere(path, mode),
    async partitionPath(disk, number) {
      const disks = await osDisks();
      if ((await disks.diskKind(disk)) !== 'block-device') return disks.imagePartitionPath(resolve(disk), number);
      return (await blockParty()).partitionPathOf(disk, number, blockRoots());
    },
    openPartition: async (disk, partition, mode) => (await osDisks()).openPartition(disk, partition, mode),
    // A block device is a machine's disk wherever it is named (BRKT_DISK too): the kernel says
    // what runs. Only an image file in a sandbox has a sandbox bootloader and its boot record.
    async runningRoot(disk) {
      if (kind === 'sandbox' && (await (await osDisks()).diskKind(disk)) !== 'block-device') return { source: 'boot-record' };
      return { source: 'devices', ...(await (await blockParty()).runningRootEvidence(blockRoots())) };
    },
    rootRelease: async (disk, partition) => (await osDisks()).rootRelease(disk, partition),
    reboot: kind === 'host' ? async style => (await import('./reboot')).rebootMachine(style, env) : undefined,
    async notifyReady() {
      const socket = env.NOTIFY_SOCKET;
      if (!socket) return false;
      (await import('./sd-notify')).sdNotify(socket, 'READY=1');
      delete env.NOTIFY_SOCKET; // children must not inherit it
      return true;
    },
    processArgv: async pid => (await processes()).processArgv(pid),
    async processHoldsLock(pid, path) {
      const identity = await new (await import('./files')).RootedFiles(root).identity(underRoot(root, path));
      return identity !== undefined && (await processes()).processHoldsLock(pid, identity);
    },
    signalProcess: async (pid, signal) => (await processes()).signalProcess(pid, signal),
    fetcher: lazyMethods<Fetcher>(() => import('./fetcher').then(m => m.makeFetcher()), ['stream']),
    unixRequest: async (socket, method, uri, body) => (await import('./unix-http')).unixRequest(socket, method, uri, body),
    imds: baseUrl => imdsAt(baseUrl),
    instanceMetadata() {
      if (kind === 'host') return imdsAt(EC2_IMDS);
      // A sandbox answers from its files: no network, and nothing to wait for when it has none.
      const dir = paths.sandboxImds;
      return existsSync(dir) ? lazyMethods<Imds>(() => import('./imds-files').then(m => m.imdsFiles(dir)), [], { baseUrl: dir }) : undefined;
    },
    now: () => new Date(),
    arch: process.arch === 'arm64' ? 'aarch64' : process.arch === 'x64' ? 'x86_64' : process.arch,
    async serveHttp(serveOptions) {
      // A socket under the root is made through the root's confinement; `--socket` may name any path.
      const socket = resolve(serveOptions.socket);
      const inside = kind === 'host' || socket.startsWith(paths.root + '/');
      return (await import('./api-socket')).serveUnixHttp(serveOptions, inside ? await confinement() : undefined);
    },
    writeFilesAtomic: async (writes, writeOptions) =>
      (await import('./atomic-writes')).writeFilesAtomic(await confinement(), writes.map(write => ({ ...write, path: underRoot(root, write.path) })), writeOptions),
    bundleIo: lazyMethods<BundleIo>(() => import('./bundle-io').then(m => m.makeBundleIo(root)), [], { selfCommand: selfCommand() }),
    lockFile: async (path, mode) => (await import('./file-lock')).lockFile(await confinement(), underRoot(root, path), mode),
    syncFilesystem: async path => (await import('./sync-filesystem')).syncFilesystem(underRoot(root, path)),
    installSelf: async path => (await import('./self-install')).installSelf(underRoot(root, path)),
    async clearRunStateAtBoot(path) {
      if (kind === 'sandbox') await files.remove(underRoot(root, path));
    },
    async privateDir() {
      if (kind === 'sandbox') await files.mkdirp(paths.privateDir);
      else if (!(await files.info(paths.privateDir))?.isDirectory) return undefined;
      return paths.privateDir;
    },
    containers: lazyMethods<ContainerRuntime>(() => import('./ctr-runtime').then(m => m.ctrRuntime(paths.hostContainerdSocket, paths.hostContainerdState)), [], { socket: paths.hostContainerdSocket }),
    units: lazyMethods<UnitManager>(() =>
      import('./units').then(m => (kind === 'host' ? m.systemdUnits() : m.sandboxUnits(root, () => platform.containers.isActive(), env))),
    ),
  };
  return platform;
}

const imdsAt = (baseUrl: string) =>
  lazyMethods<Imds>(() => import('./imds-client').then(m => m.imdsClient(baseUrl)), [], { baseUrl: baseUrl.replace(/\/+$/, '') });

export type { Platform } from './types';

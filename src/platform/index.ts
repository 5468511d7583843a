// Chooses the platform adapter: the real host when the root is `/`, a sandbox otherwise.
import { resolve } from 'node:path';
import { hostPaths, underRoot } from './paths';
import { RootedFiles } from './files';
import { runProcess, signalProcess } from './process';
import { blockRoots, osDiskOfRunningRoot, partitionPathOf, runningPartitionPath } from './block-party';
import { chooseRoot } from './root';
import { makeFetcher } from './fetcher';
import { serveUnixHttp } from './api-socket';
import { writeFilesAtomic } from './atomic-writes';
import { makeBundleIo } from './bundle-io';
import { lockFile } from './file-lock';
import type { Platform } from './types';

export interface PlatformOptions {
  root?: string;
  socket?: string;
  env?: Record<string, string | undefined>;
}


export function makePlatform(options: PlatformOptions = {}): Platform {
  const env = options.env ?? process.env;
  const root = chooseRoot(options.root, env);
  const kind = root === '/' ? 'host' : 'sandbox';
  const paths = hostPaths(root, options.socket ?? env.BRKT_SOCKET);
  const files = new RootedFiles(root);
  return {
    kind,
    paths,
    files,
    path: rel => underRoot(root, rel),
    env: name => env[name],
    exec: (argv, execOptions) => runProcess(argv, execOptions),
    async runRestartCommand(service, argv, changedKeys) {
      if (kind === 'host') return runProcess(argv);
      const line = JSON.stringify({ time: new Date().toISOString(), service, command: argv, changedKeys });
      await files.append(paths.restartLog, line + '\n');
      return { code: 0, stdout: '', stderr: '', timedOut: false };
    },
    async osDisk() {
      const override = env.BRKT_DISK;
      if (override) return resolve(override);
      return kind === 'host' ? osDiskOfRunningRoot(blockRoots(env)) : paths.disk;
    },
    openDisk: (path, mode) => new RootedFiles('/').open(resolve(path), mode),
    partitionPath: (disk, number) => partitionPathOf(disk, number, blockRoots(env)),
    runningPartition: () => runningPartitionPath(blockRoots(env)),
    signalProcess: async (pid, signal) => signalProcess(pid, signal),
    fetcher: makeFetcher(),
    now: () => new Date(),
    arch: process.arch === 'arm64' ? 'aarch64' : process.arch === 'x64' ? 'x86_64' : process.arch,
    serveHttp: serveUnixHttp,
    writeFilesAtomic: (writes, writeOptions) => writeFilesAtomic(writes.map(write => ({ ...write, path: underRoot(root, write.path) })), writeOptions),
    bundleIo: makeBundleIo(),
    lockFile: (path, mode) => lockFile(underRoot(root, path), mode),
  };
}

export type { Platform } from './types';

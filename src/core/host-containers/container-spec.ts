// What every host and bootstrap container gets (boot-config.md 4.3 and 5): the host network,
// the API socket, apiclient, its persistent storage (also as `current`), the support logs
// read-only; superpowered adds the host PID namespace, privileges and the host root.
import type { ContainerMount, ContainerSpec } from '../../platform/container-types';
import type { Platform } from '../../platform/types';

export type ContainerType = 'host' | 'bootstrap';

/** host-ctr's container id: bootstrap containers are `boot.<NAME>`. */
export const containerIdOf = (name: string, type: ContainerType) => (type === 'bootstrap' ? `boot.${name}` : name);

/** Capabilities of a bootstrap container, on top of the default set. */
export const BOOTSTRAP_CAPABILITIES = ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_CHROOT', 'CAP_SYS_MODULE', 'CAP_AUDIT_CONTROL'];

export interface SpecRequest {
  name: string;
  type: ContainerType;
  source: string;
  superpowered: boolean;
}

/** The storage directory of a container on the host. */
export const storageOf = (platform: Platform, name: string, type: ContainerType) =>
  `${type === 'bootstrap' ? platform.paths.bootstrapContainersStorage : platform.paths.hostContainersStorage}/${name}`;

export async function containerSpec(platform: Platform, request: SpecRequest): Promise<ContainerSpec> {
  const { paths } = platform;
  const mounts: ContainerMount[] = [];
  const bind = (source: string, destination: string, ...options: string[]) => mounts.push({ source, destination, options: ['rbind', ...options] });
  /** Host files that a sandbox may lack are mounted only when present. */
  const bindIfPresent = async (source: string, destination: string, ...options: string[]) => {
    if (await platform.files.exists(source)) bind(source, destination, ...options);
  };
  await bindIfPresent(platform.path('/etc/hosts'), '/etc/hosts', 'ro');
  await bindIfPresent(platform.path('/etc/resolv.conf'), '/etc/resolv.conf', 'ro');
  await bindIfPresent(paths.apiSocket, '/run/api.sock', 'rw');
  // apiclient: the host's, or this very binary where the root has none (a sandbox).
  const self = platform.bundleIo.selfCommand;
  if (await platform.files.exists(paths.apiclient)) bind(paths.apiclient, '/usr/local/bin/apiclient', 'ro');
  else if (self.length === 1) bind(self[0]!, '/usr/local/bin/apiclient', 'ro');
  await bindIfPresent(paths.osRelease, '/etc/bottlerocket-release', 'ro');

  const kind = request.type === 'bootstrap' ? 'bootstrap-containers' : 'host-containers';
  const storage = storageOf(platform, request.name, request.type);
  await platform.files.mkdirp(storage, 0o700);
  bind(storage, `/.bottlerocket/${kind}/${request.name}`, 'rw');
  if (request.name !== 'current') bind(storage, `/.bottlerocket/${kind}/current`, 'rw');
  await platform.files.mkdirp(paths.supportLogs);
  bind(paths.supportLogs, '/.bottlerocket/support', 'ro');

  const env = ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'].flatMap(name => {
    const value = platform.env(name);
    return value === undefined ? [] : [`${name}=${value}`];
  });

  if (request.type === 'bootstrap') {
    bind(paths.root, '/.bottlerocket/rootfs', 'ro');
    return { id: containerIdOf(request.name, 'bootstrap'), image: request.source, mounts, env, hostPid: true, privileged: false, capabilities: BOOTSTRAP_CAPABILITIES, seccomp: true };
  }
  if (request.superpowered) {
    bind(paths.root, '/.bottlerocket/rootfs', 'ro');
    for (const dir of ['/lib/modules', '/usr/src/kernels', '/sys/kernel/debug']) await bindIfPresent(platform.path(dir), dir, dir === '/lib/modules' ? 'ro' : 'rw');
    return { id: request.name, image: request.source, mounts, env, hostPid: true, privileged: true, capabilities: [], seccomp: false };
  }
  return { id: request.name, image: request.source, mounts, env, hostPid: false, privileged: false, capabilities: [], seccomp: true };
}

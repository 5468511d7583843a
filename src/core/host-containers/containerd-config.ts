// The host containerd's configuration, as upstream ships /etc/host-containerd/config.toml
// (packages/host-ctr), with every path under the root so a sandbox's containerd stays in it.
import type { HostPaths } from '../../platform/paths';

export function hostContainerdConfig(paths: HostPaths): string {
  return `version = 2
root = ${JSON.stringify(paths.hostContainerdRoot)}
state = ${JSON.stringify(paths.hostContainerdState)}
disabled_plugins = [
    "io.containerd.internal.v1.opt",
    "io.containerd.snapshotter.v1.aufs",
    "io.containerd.snapshotter.v1.devmapper",
    "io.containerd.snapshotter.v1.native",
    "io.containerd.snapshotter.v1.zfs",
    "io.containerd.grpc.v1.cri",
]

[grpc]
address = ${JSON.stringify(paths.hostContainerdSocket)}
`;
}

/** Writes the config when it is missing or differs (host-containerd reads it at start). */
export async function ensureHostContainerdConfig(platform: { paths: HostPaths; files: { readTextIfExists(path: string): Promise<string | undefined>; writeAtomic(path: string, data: string): Promise<void> } }): Promise<void> {
  const text = hostContainerdConfig(platform.paths);
  if ((await platform.files.readTextIfExists(platform.paths.hostContainerdConfig)) !== text) {
    await platform.files.writeAtomic(platform.paths.hostContainerdConfig, text);
  }
}

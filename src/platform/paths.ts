// The single table of host paths (cli.md "The root prefix"). Everything brkt touches on a host
// is named here, relative to the root, so a sandbox is just another root.
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { BrktError } from '../core/errors';

/** Paths relative to the root, as cli.md lists them; a sandbox adds `dev/disk.img`. */
export const HOST_PATHS = {
  apiSocket: 'run/api.sock',
  datastoreBase: 'var/lib/bottlerocket/datastore',
  datastore: 'var/lib/bottlerocket/datastore/current',
  /** Migration documents and the manifest naming them, stored by `brkt update` for the migrator. */
  migrations: 'var/lib/bottlerocket-migrations',
  /** A copy of the repository metadata an update was verified with (updates.md 1.5). */
  metadataCache: 'var/cache/bottlerocket-metadata',
  /** The update API's state machine (thar-be-updates, updates.md 6); under run/, so a reboot clears it. */
  updateStatus: 'run/cache/thar-be-updates/status.json',
  updateLock: 'run/lock/thar-be-updates.lock',
  /** Present after `POST /actions/lockdown`: the datastore is closed until the next boot. */
  lockdownFlag: 'run/brkt/lockdown',
  /** Upstream's `/.bottlerocket` (the PRIVATE partition): `netdog commit` writes net.toml there. */
  privateDir: '.bottlerocket',
  netToml: '.bottlerocket/net.toml',
  /** thar-be-updates' own config (`version-lock`); brkt falls back to updog.toml's when absent. */
  tharBeUpdatesToml: 'etc/thar-be-updates.toml',
  osRelease: 'etc/os-release',
  updogRoot: 'usr/share/updog/root.json',
  updogToml: 'etc/updog.toml',
  motd: 'etc/motd',
  disk: 'dev/disk.img',
  /** brkt's own state that upstream keeps in several places (TUF cache, boot record, markers). */
  state: 'var/lib/brkt',
  /** Sandbox only: restart commands that would have run, one JSON line each. */
  restartLog: 'var/log/brkt/restarts.log',
  logdogConfig: 'etc/logdog.d',
  /** logdog's own request files (upstream v1.17+); when present they replace the built-in list. */
  logdogRequests: 'usr/share/logdog.d',
  /** Where `logdog` writes by default (upstream v1.3.0+). */
  logdogOutput: 'var/log/support/bottlerocket-logs.tar.gz',
  sandboxReadme: 'README.txt',
  /** Trusted TUF metadata of the update repository, kept across runs (updates.md 1.5). */
  tufMetadata: 'var/lib/brkt/tuf',
  /** Sandbox only: file:// URLs of the sandbox's update repository (`metadata-base-url`, `targets-base-url`). */
  sandboxRepo: 'var/lib/brkt/sandbox-repo.json',
  /** Sandbox only: the instance metadata the sandbox serves, one file per IMDS path (`latest/meta-data/mac`). */
  sandboxImds: 'var/lib/brkt/imds',
  /** Sandbox only: the set and version the sandbox bootloader last booted. */
  bootRecord: 'var/lib/brkt/boot.json',
  /** Sandbox only: pid of the serving `brkt boot --serve`, which `brkt reboot` signals (SIGHUP). */
  bootPid: 'run/brkt-boot.pid',
  /** The containerd of host and bootstrap containers (boot-config.md 4.3), its config and storage. */
  hostContainerdSocket: 'run/host-containerd/containerd.sock',
  hostContainerdConfig: 'etc/host-containerd/config.toml',
  hostContainerdRoot: 'var/lib/host-containerd',
  hostContainerdState: 'run/host-containerd',
  /** Env files of host containers, and their persistent storage (`<NAME>` under each). */
  hostContainersConfig: 'etc/host-containers',
  hostContainersStorage: 'local/host-containers',
  bootstrapContainersConfig: 'etc/bootstrap-containers',
  bootstrapContainersStorage: 'local/bootstrap-containers',
  /** `<NAME>.ran` markers of bootstrap containers that ran this boot. */
  bootstrapContainersRan: 'run/bootstrap-containers',
  /** apiclient as host containers see it (mounted at /usr/local/bin/apiclient). */
  apiclient: 'usr/bin/apiclient',
  /** Log bundles, shown read-only in host containers. */
  supportLogs: 'var/log/support',
} as const;

export type HostPathName = keyof typeof HOST_PATHS;
export type HostPaths = { readonly root: string } & { readonly [K in HostPathName]: string };

/** Joins `rel` under `root`, refusing anything that would leave it (`..`, or an absolute path elsewhere). */
export function underRoot(root: string, rel: string): string {
  const base = resolve(root);
  const alreadyRooted = base !== '/' && (rel === base || rel.startsWith(base + '/'));
  const target = alreadyRooted ? normalize(rel) : resolve(base, isAbsolute(rel) ? '.' + rel : rel);
  const back = relative(base, target);
  if (back.startsWith('..') || isAbsolute(back)) {
    throw new BrktError('invalid-input', `Refusing path ${rel}: it leaves the root ${base}`);
  }
  return target;
}

/** Every well-known path, rooted. `socket` overrides the API socket (`--socket`, `BRKT_SOCKET`). */
export function hostPaths(root: string, socket?: string): HostPaths {
  const base = resolve(root);
  const paths = { root: base } as Record<string, string>;
  for (const [name, rel] of Object.entries(HOST_PATHS)) paths[name] = join(base, rel);
  if (socket) paths.apiSocket = resolve(socket);
  return paths as HostPaths;
}

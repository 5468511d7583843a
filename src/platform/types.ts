// What core code sees of the host. Core imports only these types; the adapters in this folder
// are the only code that touches files, devices, processes and the network.
import type { HostPaths } from './paths';
import type { ContainerRuntime, UnitManager } from './container-types';

export interface FileInfo {
  size: number;
  mode: number;
  mtimeMs: number;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}

/** Random-access handle on a file or block device (GPT, image writes). */
export interface DeviceHandle {
  readonly path: string;
  size(): Promise<number>;
  read(position: number, length: number): Promise<Uint8Array>;
  write(position: number, data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Files under the root. Every path is an absolute path that must lie under the root (take it
 * from `paths` or `platform.path()`); anything else is refused.
 */
export interface HostFiles {
  read(path: string): Promise<Uint8Array>;
  readText(path: string): Promise<string>;
  /** `undefined` when the file does not exist; other errors throw. */
  readTextIfExists(path: string): Promise<string | undefined>;
  /** Temp file in the same directory, write, fsync, rename over `path`, fsync the directory. */
  writeAtomic(path: string, data: Uint8Array | string, options?: { mode?: number }): Promise<void>;
  append(path: string, data: Uint8Array | string): Promise<void>;
  info(path: string): Promise<FileInfo | undefined>;
  exists(path: string): Promise<boolean>;
  /** Names in a directory, sorted; `[]` when it does not exist. */
  list(dir: string): Promise<string[]>;
  /**
   * Every regular file below `dir` with its text, by path relative to `dir` (`a/b.c`), in one
   * pass that never follows a link below `dir` (links are skipped); `[]` when `dir` is missing.
   */
  readTree(dir: string): Promise<Array<{ rel: string; text: string }>>;
  /** Every entry below `dir` by relative path, in one pass that never follows a link below it. */
  listTree(dir: string): Promise<Array<{ rel: string; kind: DirEntry['kind'] }>>;
  mkdirp(dir: string, mode?: number): Promise<void>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string | undefined>;
  open(path: string, mode: 'r' | 'r+'): Promise<DeviceHandle>;
  /** An exclusive non-blocking flock on the directory itself; undefined when another holds it. */
  lockDirectory(dir: string): Promise<FileLock | undefined>;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** A directory entry as `readDir` reports it (`lstat` kind: a link is `symlink`). */
export interface DirEntry {
  name: string;
  kind: 'file' | 'directory' | 'symlink' | 'other';
  /** The name's bytes are not UTF-8: `name` shows them with U+FFFD and opens nothing. */
  invalidName?: boolean;
}

/** A regular file opened for reading, never through a link; `info` is fstat of the open file. */
export interface OpenedFile {
  readonly info: FileInfo;
  /** At most `limit` bytes from the start (a log may grow while it is read). */
  read(limit: number): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** An output file being written in order; `close()` flushes and fsyncs it. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the log bundle (logdog) needs of the host beyond the root: a private scratch directory,
 * programs writing into it, streamed reads and the archive. Paths are absolute; choosing sources
 * under the root is the caller's job (`Platform.path`, `realpath`); `openFile` and `copyFile`
 * also refuse links at the moment they open.
 */
export interface BundleIo {
  /** How to start this brkt binary (`[binary]`, or `[bun, main.ts]` when run from source). */
  readonly selfCommand: string[];
  /** A fresh private directory in the system temp directory. */
  makeScratchDir(prefix: string): Promise<string>;
  removeTree(path: string): Promise<void>;
  mkdirp(dir: string): Promise<void>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  appendFile(path: string, data: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  /**
   * Runs a program (no shell) with stdout and stderr both on `outputPath`, which is created
   * first (one open file, so the two interleave). On timeout the child's process group is killed.
   * `env` adds to (or overrides) this process's environment.
   */
  execToFile(argv: string[], outputPath: string, options?: { timeoutMs?: number; cwd?: string; env?: Record<string, string> }): Promise<{ code: number; timedOut: boolean; spawnError?: string }>;
  /** Entries of a directory in name order; `undefined` when it does not exist. */
  readDir(dir: string): Promise<DirEntry[] | undefined>;
  /** Follows links; `undefined` when the path (or a link's target) does not exist. */
  stat(path: string): Promise<FileInfo | undefined>;
  realpath(path: string): Promise<string | undefined>;
  /**
   * Opens a regular file for the archive. Its last component is never followed (O_NOFOLLOW) and
   * a path under the root is entered through the root's confinement, so a file swapped for a
   * link after it was found is refused, not read through the link. Throws when it is gone, a
   * link, or not a regular file.
   */
  openFile(path: string): Promise<OpenedFile>;
  /** Creates missing parent directories, then the file (truncated). */
  openSink(path: string): Promise<ByteSink>;
  /** One GET of an http(s) URL (any other scheme is refused, redirects included); over a Unix socket when `unix` is given. */
  httpGet(url: string, options: { unix?: string; timeoutMs?: number }): Promise<{ status: number; body: Uint8Array }>;
}

/** One file of `Platform.writeFilesAtomic`. */
export interface FileWrite {
  path: string;
  data: Uint8Array | string;
}

/** The server's side of one WebSocket connection (`Platform.serveHttp`'s upgrade). */
export interface WebSocketPeer {
  send(data: string | Uint8Array): void;
  ping(): void;
  close(code: number, reason: string): void;
}

/** What a WebSocket route does with its connection; messages arrive in order. */
export interface WebSocketSession {
  open(peer: WebSocketPeer): void;
  message(data: string | Uint8Array): void;
  pong(): void;
  closed(code: number, reason: string): void;
}

/** Turns the request into a WebSocket handled by `session`; false when it is not an upgrade request. */
export type Upgrade = (session: WebSocketSession) => boolean;

/** What `Platform.serveHttp` needs: the socket path and a web-standard request handler. */
export interface ServeHttpOptions {
  socket: string;
  /** After a successful `upgrade`, the response is not sent. */
  handler: (request: Request, upgrade: Upgrade) => Response | Promise<Response>;
  /** Group to give the socket (upstream `--socket-gid`); the mode is always 0660. */
  gid?: number;
  maxBodyBytes?: number;
}

export interface HttpListener {
  readonly path: string;
  /** Stops accepting, closes connections and removes the socket file. */
  stop(): Promise<void>;
}

/** Reads update repositories: http(s) with upstream's transport rules, and file:// (updates.md 1.4). */
export interface Fetcher {
  /**
   * The body of `url` in chunks, resumed with `Range` after an interruption when the server
   * allows it. A missing file (HTTP 403, 404 or 410; no such file) throws BrktError `not-found`.
   */
  stream(url: string, options?: FetchOptions): AsyncIterable<Uint8Array>;
}

export interface FetchOptions {
  /** The body's expected size: a large one gets more time before the request's deadline. */
  expectedBytes?: number;
}

/** A held flock on a lock file (`Platform.lockFile`). */
export interface FileLock {
  readonly path: string;
  /** Unlocks and closes; calling it again does nothing. */
  release(): void;
}

/** An instance-metadata service (IMDSv2). */
export interface Imds {
  readonly baseUrl: string;
  /**
   * The body at `path`, or `undefined` for 404 (absent). A service that cannot be reached (after
   * the client's bounded retries) throws BrktError `unavailable`; other statuses throw `io`.
   */
  get(path: string): Promise<string | undefined>;
}

/** Where a partition lies: its name (device node or `<image>p<N>`) and its byte range on the disk. */
export interface PartitionLocation {
  number: number;
  path: string;
  offset: number;
  length: number;
}

/**
 * What identifies the running partition set. `boot-record`: an image disk in a sandbox, whose
 * sandbox bootloader records what it booted. `devices`: what the kernel says (host.md 2.3-2.4):
 * the partition under the root file system (dm-verity's first lower device, or the root device
 * itself) and the kernel command line's `root=PARTUUID=<guid>[/PARTNROFF=<n>]`; `tried` says
 * what was looked at, for the error when neither is on the disk.
 */
export type RunningRoot =
  | { source: 'boot-record' }
  | { source: 'devices'; partition?: string; partUuid?: { guid: string; offset: number }; tried: string };

export interface Platform {
  /** `host` on a real machine rooted at `/`; `sandbox` for any other root. */
  readonly kind: 'host' | 'sandbox';
  readonly paths: HostPaths;
  readonly files: HostFiles;
  /** A path under the root; refuses paths that leave it. */
  path(rel: string): string;
  /** An environment variable the platform passes through (never read `process.env` in core). */
  env(name: string): string | undefined;
  /** Runs a program directly (no shell), on both kinds of platform. */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a service's restart command. On a host it runs (no shell), killed with everything it
   * started after `timeoutMs`; in a sandbox it is appended to `paths.restartLog` with the
   * changed keys and reported as successful.
   */
  runRestartCommand(service: string, argv: string[], changedKeys: string[], options?: { timeoutMs?: number }): Promise<ExecResult>;
  /** The OS disk: a block device on a host; `dev/disk.img` (or `BRKT_DISK`) in a sandbox. */
  osDisk(): Promise<string>;
  /** The transport for update repositories (metadata, manifest, images, migrations). */
  readonly fetcher: Fetcher;
  /** Opens the OS disk or a partition device for random access; may lie outside the root (`BRKT_DISK`). */
  openDisk(path: string, mode: 'r' | 'r+'): Promise<DeviceHandle>;
  /**
   * How partition `number` of `disk` is named: its device node through sysfs for a block device
   * (signpost.md 8.1), `<image>p<N>` for an image file. Undefined when sysfs has no such partition.
   */
  partitionPath(disk: string, number: number): Promise<string | undefined>;
  /** The command line of process `pid` (`/proc/<pid>/cmdline`); undefined when it is gone. */
  processArgv(pid: number): Promise<string[] | undefined>;
  /** True when process `pid` holds a flock on `path` under the root (`/proc/locks`). */
  processHoldsLock(pid: number, path: string): Promise<boolean>;
  /**
   * One partition for random access, positions relative to its start: its device node on a block
   * device, a bounded window of the file on an image. Only the OS disk guard opens it for writing.
   */
  openPartition(disk: string, partition: PartitionLocation, mode: 'r' | 'r+'): Promise<DeviceHandle>;
  /** What tells the running partition set of `disk` (host.md 2.3-2.4; cli.md for sandboxes). */
  runningRoot(disk: string): Promise<RunningRoot>;
  /** The os-release text in a ROOT partition's image, or undefined when it holds no bootable image. */
  rootRelease(disk: string, partition: PartitionLocation): Promise<string | undefined>;
  /**
   * Reboots the machine as upstream does (host.md 3): `systemctl reboot --check-inhibitors=yes`
   * for the API and `brkt reboot`, `shutdown -r` for updog. Absent where there is no machine to
   * reboot (a sandbox: its bootloader boots again in brkt). One clear error when it cannot.
   */
  readonly reboot?: (style: 'systemctl' | 'shutdown') => Promise<void>;
  /** Tells the service manager the service is ready (sd_notify `READY=1`); false when not under one. */
  notifyReady(): Promise<boolean>;
  /** Sends `signal` to `pid` (0: only checks); false when no such process exists. */
  signalProcess(pid: number, signal: 'SIGHUP' | 0): Promise<boolean>;
  /** One HTTP/1.1 request to a server on a Unix socket (the API); transport failures throw. */
  unixRequest(socket: string, method: string, uri: string, body?: string): Promise<{ status: number; statusText: string; body: string }>;
  /** The instance-metadata client at `baseUrl`. */
  imds(baseUrl: string): Imds;
  /**
   * This machine's own instance metadata: EC2's service on a host; in a sandbox the files under
   * `paths.sandboxImds` (written by `brkt dev init`), or none when it has no such directory.
   */
  instanceMetadata(): Imds | undefined;
  now(): Date;
  /** Machine architecture in upstream's words: `x86_64` or `aarch64`. */
  readonly arch: string;
  /** Serves HTTP on a Unix socket; a live server there is refused, a stale socket file replaced. */
  serveHttp(options: ServeHttpOptions): Promise<HttpListener>;
  /**
   * Writes files under the root atomically, as one batch: each to a temp name (ending `%7Etmp`)
   * and renamed into place. With `sync` (the default) each file is fsynced before its rename
   * and every directory touched once after, so the batch survives a power loss.
   */
  writeFilesAtomic(writes: FileWrite[], options?: { sync?: boolean }): Promise<void>;
  /** Scratch space, streams and program output files of the log bundle. */
  readonly bundleIo: BundleIo;
  /**
   * A non-blocking flock on `path` (created when missing, with its directory); undefined when a
   * conflicting lock is held by another open file (update status and commands, updates.md 6).
   */
  lockFile(path: string, mode: 'shared' | 'exclusive'): Promise<FileLock | undefined>;
  /**
   * Makes every write to the filesystem holding `path` (under the root) durable at once
   * (syncfs): a batch written with `writeFilesAtomic(..., { sync: false })` then survives a power
   * loss, data and renames alike, for the cost of one journal commit.
   */
  syncFilesystem(path: string): Promise<void>;
  /** Copies this brkt executable to `path` (under the root; `brkt install`); says what it did. */
  installSelf(path: string): Promise<string>;
  /**
   * Removes run-time state (a file under the root's `run/`) at boot. A host's `/run` is a tmpfs
   * the reboot already emptied, so nothing is removed there (a second `brkt boot` in the same
   * boot must not undo a lockdown); a sandbox's `run/` outlives its reboots, so the file goes.
   */
  clearRunStateAtBoot(path: string): Promise<void>;
  /**
   * The directory of upstream's `/.bottlerocket`, ready for writing: on a host the PRIVATE
   * partition's mount, which must already exist (undefined when it does not); a sandbox creates it.
   */
  privateDir(): Promise<string | undefined>;
  /** The host containerd of host and bootstrap containers (`paths.hostContainerdSocket`), through `ctr`. */
  readonly containers: ContainerRuntime;
  /** systemctl on a host; in a sandbox, unit state under the root and supervised brkt processes. */
  readonly units: UnitManager;
}

// Sandboxes for the update tests: a sandbox made by dev init's own code, a second signed
// repository with a bootable 1.2.0 release built here, etc/updog.toml pointing at it, and
// views of the disk (hashes and partition ranges) to prove what was and was not written.
import { createHash, randomBytes } from 'node:crypto';
import { openSync, readFileSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { makeSandbox, type Sandbox } from '../helpers/sandbox';
import { makeTufRepo, serveRepo, type ServedRepo } from '../helpers/tuf-repo';
import { addMigrations, addRelease } from '../../src/core/repo/release';
import type { Expirations, RepoWriter } from '../../src/core/repo/repository';
import { buildIdOf, osReleaseFor, SANDBOX_VERSION } from '../../src/core/sandbox/init';
import { encodeSandboxRoot } from '../../src/core/sandbox/root-image';
import { loadPartitionState, partitionRange } from '../../src/core/signpost/state';
import { flagsOf } from '../../src/core/gpt/attributes';
import { parseVersion } from '../../src/core/updates/version';
import type { Images } from '../../src/core/updates/manifest';

export const MiB = 1 << 20;
export const VARIANT = 'aws-dev';

async function* once(data: Uint8Array) {
  yield data;
}

/** A bootable sandbox root image of `size` bytes; random after the header so LZ4 cannot shrink it. */
export function rootImage(version: string, size: number): Uint8Array {
  const image = encodeSandboxRoot(osReleaseFor(version, VARIANT), size);
  image.set(randomBytes(size - 4096), 4096);
  return image;
}

/** Writes etc/updog.toml the way the settings applier renders it. */
export function writeUpdogToml(sandbox: { path(rel: string): string }, urls: { metadataUrl: string; targetsUrl: string }, extra = '') {
  writeFileSync(sandbox.path('etc/updog.toml'), [
    `metadata_base_url = "${urls.metadataUrl}"`,
    `targets_base_url = "${urls.targetsUrl}"`,
    'seed = 1234',
    'version_lock = "latest"',
    'ignore_waves = false',
    extra,
  ].join('\n') + '\n');
}

/** The sandbox's own repository (dev init), from the URL record it writes. */
export function sandboxRepoUrls(sandbox: { path(rel: string): string }) {
  const record = JSON.parse(readFileSync(sandbox.path('var/lib/brkt/sandbox-repo.json'), 'utf8')) as Record<string, string>;
  return { metadataUrl: record['metadata-base-url']!, targetsUrl: record['targets-base-url']! };
}

export interface UpdateSandbox extends AsyncDisposable {
  sandbox: Sandbox;
  root: string;
  repo: RepoWriter;
  names: Images;
  /** Serves the repository (with an attacker's `override`) and points updog.toml at it. */
  serve(override?: (path: string) => Response | undefined): ServedRepo;
}

/**
 * A dev-init sandbox whose updog.toml points at a served repository holding release 1.2.0 (root
 * image of `rootBytes`), trusted through usr/share/updog/root.json.
 */
export async function updateSandbox(options: { rootBytes?: number; expires?: Expirations } = {}): Promise<UpdateSandbox> {
  const sandbox = await makeSandbox();
  const repo = await makeTufRepo(sandbox.path('served-repo'), { expires: options.expires });
  const names = await addRelease(repo, {
    variant: VARIANT,
    arch: sandbox.platform.arch,
    version: parseVersion('1.2.0'),
    buildId: buildIdOf('1.2.0', VARIANT),
    images: { root: once(rootImage('1.2.0', options.rootBytes ?? 6 * MiB)), boot: once(randomBytes(300_000)), hash: once(randomBytes(40_000)) },
  });
  await addMigrations(repo, parseVersion(SANDBOX_VERSION), parseVersion('1.2.0'), []);
  writeFileSync(sandbox.path('usr/share/updog/root.json'), await repo.initialRoot());
  const servers: ServedRepo[] = [];
  return {
    sandbox,
    root: sandbox.root,
    repo,
    names,
    serve(override) {
      const served = serveRepo(repo.layout, override);
      servers.push(served);
      writeUpdogToml(sandbox, served);
      return served;
    },
    async [Symbol.asyncDispose]() {
      for (const served of servers) served[Symbol.dispose]();
      await sandbox[Symbol.asyncDispose]();
    },
  };
}

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
export const diskHash = (sandbox: { path(rel: string): string }) => sha256(readFileSync(sandbox.path('dev/disk.img')));

function readRange(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** Hash of each partition of a set, and the flags of its boot partition. */
export async function setView(sandbox: Sandbox, name: 'A' | 'B') {
  const state = await loadPartitionState(sandbox.platform);
  const set = state.sets[name]!;
  const hashes = Object.fromEntries((['boot', 'root', 'hash'] as const).map(kind => {
    const { offset, length } = partitionRange(state, set[kind]);
    return [kind, sha256(readRange(state.disk, offset, length))];
  }));
  return { active: state.active, hashes, flags: flagsOf(state.table.entries[set.boot.index]!.attributes) };
}

/** The first bytes of a set's root partition (where a sandbox root image has its header). */
export async function rootHead(sandbox: Sandbox, name: 'A' | 'B', length = 64): Promise<string> {
  const state = await loadPartitionState(sandbox.platform);
  const { offset } = partitionRange(state, state.sets[name]!.root);
  return readRange(state.disk, offset, length).toString('latin1');
}

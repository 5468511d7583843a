// The operations behind `brkt repo`: each opens the repository, does one thing, re-signs what
// changed. Expiry arguments are offsets (`7 days`, `in 52 weeks`) or RFC 3339 dates.
import { createHash } from 'node:crypto';
import { BrktError } from '../errors';
import type { HostFiles } from '../../platform/types';
import { Lz4FrameDecoder } from '../lz4/frame-decoder';
import { dateFromInstant, instantFromDate, parseInstant, tryParseInstant } from '../updates/datetime';
import { DECODED_LENGTH_KEY } from '../updates/image-stream';
import type { Images } from '../updates/manifest';
import { parseVersion } from '../updates/version';
import { parseOffset, parseWaveFile } from '../updates/waves';
import type { KeyType } from './keys';
import { ROLES, type Role } from './metadata';
import { addMigrations, addRelease } from './release';
import { repoLayout, RepoWriter, type Expirations } from './repository';

export const DEFAULT_EXPIRES: Record<Role, string> = { root: '52 weeks', targets: '12 weeks', snapshot: '12 weeks', timestamp: '1 week' };

/** `7 days`, `in 52 weeks` (from now), or an RFC 3339 date. */
export function parseExpiry(text: string, now: Date): Date {
  const date = tryParseInstant(text);
  if (date !== undefined) return dateFromInstant(date);
  try {
    return dateFromInstant(instantFromDate(now) + parseOffset(text));
  } catch {
    throw new BrktError('invalid-input', `Invalid expiry '${text}': use an offset like '7 days' or '52 weeks', or an RFC 3339 date`);
  }
}

export function expirations(given: Partial<Record<Role, string>>, now: Date, defaults = true): Partial<Expirations> {
  const result: Partial<Expirations> = {};
  for (const role of ROLES) {
    const text = given[role] ?? (defaults ? DEFAULT_EXPIRES[role] : undefined);
    if (text !== undefined) result[role] = parseExpiry(text, now);
  }
  return result;
}

export interface RepoLocation {
  dir: string;
  keysDir?: string;
}

export async function initRepo(files: HostFiles, at: RepoLocation, options: { keyType?: KeyType; expires: Partial<Record<Role, string>>; now: Date }) {
  const repo = await RepoWriter.create(files, repoLayout(at.dir, at.keysDir), { keyType: options.keyType, expires: expirations(options.expires, options.now) as Expirations });
  return { root: `${repo.layout.metadataDir}/1.root.json`, keys: Object.fromEntries(ROLES.map(role => [role, repo.root.signed.roles[role].keyids])) };
}

export interface ReleaseFiles {
  variant: string;
  arch: string;
  version: string;
  maxVersion?: string;
  buildId?: string;
  boot: string;
  root: string;
  hash: string;
  wavesFile?: string;
  startAt?: string;
  expires: Partial<Record<Role, string>>;
  now: Date;
}

export async function addReleaseFromFiles(files: HostFiles, at: RepoLocation, release: ReleaseFiles): Promise<Images> {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  const version = parseVersion(release.version);
  const waves = release.wavesFile
    ? { definitions: parseWaveFile(await files.readText(release.wavesFile), release.wavesFile), startAt: release.startAt ? parseInstant(release.startAt, 'start time') : instantFromDate(release.now) }
    : undefined;
  // Upstream names carry the build's short commit; without one, a digest of the root image's path and version.
  const buildId = release.buildId ?? createHash('sha256').update(`${release.variant}@${release.version}`).digest('hex').slice(0, 8);
  return addRelease(repo, {
    variant: release.variant,
    arch: release.arch,
    version,
    maxVersion: release.maxVersion ? parseVersion(release.maxVersion, 'max version') : undefined,
    buildId,
    images: { boot: repo.readFile(release.boot), root: repo.readFile(release.root), hash: repo.readFile(release.hash) },
    waves,
  }, expirations(release.expires, release.now, false));
}

export async function addMigrationFiles(files: HostFiles, at: RepoLocation, options: { from: string; to: string; paths: string[]; expires: Partial<Record<Role, string>>; now: Date }) {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  const migrations = options.paths.map(path => ({ name: path.slice(path.lastIndexOf('/') + 1), data: repo.readFile(path) }));
  return addMigrations(repo, parseVersion(options.from), parseVersion(options.to), migrations, expirations(options.expires, options.now, false));
}

/** New expiry dates for the given roles; the chain below each changed role is re-signed. */
export async function expireRoles(files: HostFiles, at: RepoLocation, given: Partial<Record<Role, string>>, now: Date) {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  const expires = expirations(given, now, false);
  if (Object.keys(expires).length === 0) throw new BrktError('usage', 'Nothing to change: give --root, --targets, --snapshot or --timestamp');
  if (expires.root) await repo.rotateRoot({ expires: expires.root });
  const from = expires.targets ? 'targets' : expires.snapshot ? 'snapshot' : expires.timestamp ? 'timestamp' : undefined;
  if (from) await repo.publish(expires, from);
  return versionsOf(repo);
}

/** Re-signs the timestamp (what a publisher does on a schedule to keep a repository fresh). */
export async function refreshTimestamp(files: HostFiles, at: RepoLocation, expires: string, now: Date) {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  await repo.publish({ timestamp: parseExpiry(expires, now) }, 'timestamp');
  return versionsOf(repo);
}

export async function rotateRepoRoot(files: HostFiles, at: RepoLocation, options: { newKeys: Role[]; keyType?: KeyType; expires?: string; now: Date }) {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  await repo.rotateRoot({ newKeys: options.newKeys, keyType: options.keyType, expires: options.expires ? parseExpiry(options.expires, options.now) : undefined });
  return versionsOf(repo);
}

const versionsOf = (repo: RepoWriter) => ({
  root: repo.root.signed.version,
  targets: repo.targets.signed.version,
  snapshot: repo.snapshot.signed.version,
  timestamp: repo.timestamp.signed.version,
});

export interface VerifiedTarget {
  name: string;
  length: number;
  decodedLength?: number;
}

/**
 * Checks every target file against the signed targets metadata (length, SHA-256) and decodes
 * every LZ4 target, comparing the signed decoded size: what a host would do, without a network.
 */
export async function verifyRepo(files: HostFiles, at: RepoLocation, tmpdir?: string): Promise<VerifiedTarget[]> {
  const repo = await RepoWriter.open(files, repoLayout(at.dir, at.keysDir));
  const results: VerifiedTarget[] = [];
  for (const [name, entry] of Object.entries(repo.targets.signed.targets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = `${repo.layout.targetsDir}/${entry.hashes.sha256}.${name}`;
    if (!(await files.exists(path))) throw new BrktError('not-found', `Target ${name} is listed but ${path} is missing`);
    const hash = createHash('sha256');
    const decoder = name.endsWith('.lz4') ? await Lz4FrameDecoder.create(name, tmpdir) : undefined;
    let length = 0;
    let decoded = 0;
    for await (const chunk of repo.readFile(path)) {
      length += chunk.length;
      hash.update(chunk);
      for (const block of decoder?.push(chunk) ?? []) decoded += block.length;
    }
    decoder?.finish();
    if (length !== entry.length || hash.digest('hex') !== entry.hashes.sha256) throw new BrktError('tuf', `Target ${name} in ${path} does not match its signed length and SHA-256`);
    const signedDecoded = entry.custom?.[DECODED_LENGTH_KEY];
    if (decoder && typeof signedDecoded === 'number' && signedDecoded !== decoded) {
      throw new BrktError('tuf', `Target ${name} decodes to ${decoded} bytes, not the ${signedDecoded} its signed entry lists`);
    }
    results.push({ name, length, ...(decoder ? { decodedLength: decoded } : {}) });
  }
  return results;
}

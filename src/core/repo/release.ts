// Publishing a release into a repository: lz4-compress the boot, root and hash images, add them
// as targets with upstream's names, add the manifest entry (updata add-update) with its waves
// (updata set-waves), add migrations, and re-sign. Mirrors pubsys's repo step.
import { BrktError } from '../errors';
import { encodeLz4Frame } from '../lz4/frame-encoder';
import type { Instant } from '../updates/datetime';
import { DECODED_LENGTH_KEY } from '../updates/image-stream';
import { addUpdate, setWaves } from '../updates/manifest-edit';
import { migrationKey, type Images } from '../updates/manifest';
import { compareVersions, type Version } from '../updates/version';
import type { WaveDefinition } from '../updates/waves';
import type { Expirations, RepoWriter } from './repository';

export interface ReleaseImages {
  boot: AsyncIterable<Uint8Array>;
  root: AsyncIterable<Uint8Array>;
  hash: AsyncIterable<Uint8Array>;
}

export interface Release {
  variant: string;
  arch: string;
  version: Version;
  maxVersion?: Version;
  /** Short build id in the image names (upstream: the commit). */
  buildId: string;
  images: ReleaseImages;
  waves?: { definitions: WaveDefinition[]; startAt: Instant };
}

/** Upstream's image target names. */
export function imageNames(variant: string, arch: string, version: string, buildId: string): Images {
  const stem = `bottlerocket-${variant}-${arch}-${version}-${buildId}`;
  return { boot: `${stem}-boot.ext4.lz4`, root: `${stem}-root.ext4.lz4`, hash: `${stem}-root.verity.lz4` };
}

/** Adds a release and publishes new targets, snapshot and timestamp. Returns the image names. */
export async function addRelease(repo: RepoWriter, release: Release, expires: Partial<Expirations> = {}): Promise<Images> {
  let manifest = await repo.readManifest();
  const exists = manifest.updates.some(u => u.variant === release.variant && u.arch === release.arch && compareVersions(u.version, release.version) === 0);
  if (exists) throw new BrktError('conflict', `Release ${release.version.text} for ${release.variant} ${release.arch} is already in the manifest of ${repo.layout.dir}`);
  const names = imageNames(release.variant, release.arch, release.version.text, release.buildId);
  for (const kind of ['root', 'boot', 'hash'] as const) {
    // The decoded size goes into the signed target entry, so a host can refuse an image that
    // does not fit its partition before writing any of it.
    let decoded = 0;
    const counted = (async function* (source: AsyncIterable<Uint8Array>) {
      for await (const chunk of source) {
        decoded += chunk.length;
        yield chunk;
      }
    })(release.images[kind]);
    const entry = await repo.addTarget(names[kind], encodeLz4Frame(counted));
    entry.custom = { [DECODED_LENGTH_KEY]: decoded };
  }
  manifest = addUpdate(manifest, { variant: release.variant, arch: release.arch, version: release.version, maxVersion: release.maxVersion, images: names });
  if (release.waves) manifest = setWaves(manifest, release, release.waves.definitions, release.waves.startAt).manifest;
  await repo.writeManifest(manifest);
  await repo.publish(expires);
  return names;
}

/** Adds migration binaries (lz4-compressed) for the step FROM -> TO and lists them in the manifest. */
export async function addMigrations(repo: RepoWriter, from: Version, to: Version, migrations: Array<{ name: string; data: AsyncIterable<Uint8Array> }>, expires: Partial<Expirations> = {}): Promise<string[]> {
  const names: string[] = [];
  for (const migration of migrations) {
    const name = migration.name.endsWith('.lz4') ? migration.name : `${migration.name}.lz4`;
    await repo.addTarget(name, encodeLz4Frame(migration.data));
    names.push(name);
  }
  const manifest = await repo.readManifest();
  const key = migrationKey(from, to);
  const others = manifest.migrations.filter(step => migrationKey(step.from, step.to) !== key);
  const existing = manifest.migrations.find(step => migrationKey(step.from, step.to) === key)?.names ?? [];
  await repo.writeManifest({ ...manifest, migrations: [...others, { from, to, names: [...existing, ...names] }] });
  await repo.publish(expires);
  return names;
}

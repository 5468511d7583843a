// Editing a manifest the way upstream's updata does (updates.md 2.3, 2.4): add and remove
// releases, set waves from a wave file, replace the migrations from Release.toml.
import { parse as parseToml } from 'smol-toml';
import { BrktError } from '../errors';
import type { Instant } from './datetime';
import { migrationSteps, type Images, type Manifest } from './manifest';
import type { JsonValue } from './json-entries';
import { compareVersions, parseVersion, type Version } from './version';
import { areWavesOrdered, convertWaves, type WaveDefinition } from './waves';

export interface NewUpdate {
  variant: string;
  arch: string;
  version: Version;
  maxVersion?: Version;
  images: Images;
}

/**
 * updata add-update: the effective max_version is the given one, else the larger of the new
 * version and the first entry's max_version; every entry of the same variant and arch gets it.
 */
export function addUpdate(manifest: Manifest, added: NewUpdate): Manifest {
  const first = manifest.updates[0];
  const max = added.maxVersion ?? (first && compareVersions(first.maxVersion, added.version) > 0 ? first.maxVersion : added.version);
  const updates = manifest.updates.map(u => (u.variant === added.variant && u.arch === added.arch ? { ...u, maxVersion: max } : u));
  updates.push({ variant: added.variant, arch: added.arch, version: added.version, maxVersion: max, waves: [], images: added.images });
  return { ...manifest, updates };
}

/** updata remove-update: drops entries matching variant, arch and version; others keep their max. */
export function removeUpdate(manifest: Manifest, variant: string, arch: string, version: Version): Manifest {
  const same = (v: Version) => compareVersions(v, version) === 0;
  return { ...manifest, updates: manifest.updates.filter(u => !(u.variant === variant && u.arch === arch && same(u.version))) };
}

/** updata set-max-version: every entry. */
export function setMaxVersion(manifest: Manifest, max: Version): Manifest {
  return { ...manifest, updates: manifest.updates.map(u => ({ ...u, maxVersion: max })) };
}

/** updata set-waves: replaces the waves of matching entries; refuses unordered results. */
export function setWaves(manifest: Manifest, match: { variant: string; arch: string; version: Version }, waves: WaveDefinition[], startAt: Instant): { manifest: Manifest; matched: number } {
  const bounds = convertWaves(waves, startAt);
  let matched = 0;
  const updates = manifest.updates.map(u => {
    if (u.variant !== match.variant || u.arch !== match.arch || compareVersions(u.version, match.version) !== 0) return u;
    matched++;
    return { ...u, waves: bounds };
  });
  for (const u of updates) {
    if (!areWavesOrdered(u.waves)) {
      throw new BrktError('invalid-input', `Waves are not ordered for ${u.variant} ${u.arch} ${u.version.text}: later seeds must start later`);
    }
  }
  return { manifest: { ...manifest, updates }, matched };
}

export interface ReleaseToml {
  version: Version;
  migrations: Manifest['migrations'];
}

/** Release.toml: `version` and a `[migrations]` table with the manifest's key rules. */
export function parseReleaseToml(text: string): ReleaseToml {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to parse Release.toml: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof doc.version !== 'string') throw new BrktError('invalid-input', 'Failed to parse Release.toml: missing version');
  const table = (doc.migrations ?? {}) as Record<string, JsonValue>;
  return { version: parseVersion(doc.version, 'Release.toml version'), migrations: migrationSteps(Object.entries(table), 'Release.toml migrations') };
}

/** updata set-migrations: the release's table replaces the manifest's whole migrations map. */
export function setMigrations(manifest: Manifest, release: ReleaseToml): Manifest {
  return { ...manifest, migrations: release.migrations.map(step => ({ ...step, names: [...step.names] })) };
}

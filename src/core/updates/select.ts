// Choosing an update from the manifest (updates.md 3.2, 3.5): variant, arch, max_version,
// waves, then the forced version, the version lock or "latest". Mirrors updog's update_required.
import { BrktError } from '../errors';
import type { Instant } from './datetime';
import { byVersionDescending, type Manifest, type Update } from './manifest';
import { isUpdateReady } from './waves';
import { compareVersions, tryParseVersion, type Version } from './version';

export interface SelectionInput {
  current: Version;
  variant: string;
  /** `x86_64` or `aarch64`. */
  arch: string;
  seed: number;
  /** `latest`, or a version with an optional leading `v`. */
  versionLock: string;
  ignoreWaves: boolean;
  /** `--image VERSION`: this exact version, whatever the lock says. */
  forced?: Version;
  now: Instant;
}

/** The host architecture as upstream names it, from Node's `process.arch` value. */
export function archName(nodeArch: string): string {
  return nodeArch === 'x64' ? 'x86_64' : nodeArch === 'arm64' ? 'aarch64' : nodeArch;
}

/** Updates this host may install now, newest first (updates.md 3.2). */
export function applicableUpdates(manifest: Manifest, input: Omit<SelectionInput, 'current' | 'versionLock' | 'forced'>): Update[] {
  return manifest.updates
    .filter(u => u.variant === input.variant && u.arch === input.arch)
    .filter(u => compareVersions(u.version, u.maxVersion) <= 0)
    .filter(u => input.ignoreWaves || isUpdateReady(u.waves, input.seed, input.now))
    .sort(byVersionDescending);
}

/** The version lock as a version, or undefined for `latest`. */
export function parseVersionLock(lock: string): Version | undefined {
  if (lock === 'latest') return undefined;
  const version = tryParseVersion(lock.startsWith('v') ? lock.slice(1) : lock);
  if (!version) throw new BrktError('invalid-input', `Bad version string '${lock}' in config: not 'latest' or a SemVer version`);
  return version;
}

/** The update to install, or undefined when none is required (updates.md 3.5). */
export function chooseUpdate(manifest: Manifest, input: SelectionInput): Update | undefined {
  const list = applicableUpdates(manifest, input);
  if (input.forced) return list.find(u => compareVersions(u.version, input.forced!) === 0);
  const lock = parseVersionLock(input.versionLock);
  if (lock) {
    if (compareVersions(lock, input.current) === 0) return undefined;
    return list.find(u => compareVersions(u.version, lock) === 0);
  }
  // Newer than running, or running was pulled (above its max_version): a downgrade then.
  return list.find(u => compareVersions(input.current, u.version) < 0 || compareVersions(input.current, u.maxVersion) > 0);
}

// updog's common start-up (updates.md 5.2): config, os-release, the metric query parameters,
// the verified repository and its manifest; then choosing an update (3.5). Mirrors updog's main.rs.
import { BrktError, messageOf } from '../errors';
import { parseOsRelease } from '../os-release';
import type { Platform } from '../../platform/types';
import { instantFromDate } from './datetime';
import type { Manifest, Update } from './manifest';
import { QueryParams } from './query-params';
import { UpdateRepository } from './repository';
import { applicableUpdates, chooseUpdate } from './select';
import { readUpdogConfig, type UpdogConfig } from './updog-config';
import { tryParseVersion, type Version } from './version';

export interface UpdogSession {
  platform: Platform;
  config: UpdogConfig;
  /** VERSION_ID of the running image. */
  current: Version;
  /** VARIANT_ID, or `--variant`. */
  variant: string;
  query: QueryParams;
  repository: UpdateRepository;
  manifest: Manifest;
}

export interface StartOptions {
  /** `--variant`: match updates of another variant (undocumented upstream flag). */
  variant?: string;
  /** An already read config (the caller may have needed it first, for the proxy). */
  config?: UpdogConfig;
}

/** The running image's version and variant from `etc/os-release`. */
export async function runningImage(platform: Platform): Promise<{ current: Version; variant: string; arch: string }> {
  const path = platform.paths.osRelease;
  let text: string;
  try {
    text = await platform.files.readText(path);
  } catch (error) {
    throw new BrktError('not-found', `Failed to read ${path}: ${messageOf(error)}`);
  }
  const release = parseOsRelease(text);
  const current = release.versionId === undefined ? undefined : tryParseVersion(release.versionId);
  if (!current) throw new BrktError('invalid-input', `Failed to read the running version from ${path}: VERSION_ID ${release.versionId === undefined ? 'is missing' : `'${release.versionId}' is not a SemVer version`}`);
  if (!release.variantId) throw new BrktError('invalid-input', `Failed to read the running variant from ${path}: VARIANT_ID is missing`);
  return { current, variant: release.variantId, arch: platform.arch };
}

/** updates.md 5.2 steps 2 and 4 to 7 (the proxy, step 3, is the caller's: it is process state). */
export async function startUpdog(platform: Platform, options: StartOptions = {}): Promise<UpdogSession> {
  const config = options.config ?? (await readUpdogConfig(platform));
  const image = await runningImage(platform);
  const query = new QueryParams().add('version', image.current.text).add('seed', String(config.seed));
  await platform.files.mkdirp(platform.paths.metadataCache);
  const repository = await UpdateRepository.load(platform, { metadataBaseUrl: config.metadataBaseUrl, targetsBaseUrl: config.targetsBaseUrl, query });
  const manifest = await repository.manifest();
  return { platform, config, current: image.current, variant: options.variant ?? image.variant, query, repository, manifest };
}

export interface ChoiceOptions {
  /** `--image VERSION`. */
  forced?: Version;
  /** `--now`/`--ignore-waves`; the config's `ignore_waves` applies as well. */
  ignoreWaves?: boolean;
}

function selectionInput(session: UpdogSession, options: ChoiceOptions) {
  return {
    current: session.current,
    variant: session.variant,
    arch: session.platform.arch,
    seed: session.config.seed,
    versionLock: session.config.versionLock,
    ignoreWaves: Boolean(options.ignoreWaves) || session.config.ignoreWaves,
    forced: options.forced,
    now: instantFromDate(session.platform.now()),
  };
}

/** update_required (updates.md 3.5): the update to install, or undefined. */
export function chooseFor(session: UpdogSession, options: ChoiceOptions = {}): Update | undefined {
  return chooseUpdate(session.manifest, selectionInput(session, options));
}

/** Every applicable update, newest first (`check-update --all`); lock and `--image` ignored. */
export function applicableFor(session: UpdogSession, options: ChoiceOptions = {}): Update[] {
  return applicableUpdates(session.manifest, selectionInput(session, options));
}

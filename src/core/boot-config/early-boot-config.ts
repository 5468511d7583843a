// early-boot-config (boot-config.md 2, settings.md 10): user data from files under the root and
// from instance metadata, staged in `bottlerocket-launch` once per host (marker file).
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';
import { imdsFor, optionalImds, type Imds } from './imds';
import type { LaunchApi } from './launch-api';
import { LAUNCH_TX } from './launch-api';
import { mergeSettings, parseUserData } from './user-data';

/** Upstream's marker: present means user data was applied on an earlier boot. */
export const EARLY_BOOT_CONFIG_MARKER = 'var/lib/bottlerocket/early-boot-config.ran';
/** brkt's user data file (upstream's local-file provider path since v1.6). */
export const USER_DATA_FILE = 'var/lib/bottlerocket/user-data.toml';

/** Used when no instance identity document exists, as upstream's identity-doc provider does. */
const FALLBACK_REGION = 'us-east-1';

export interface UserDataPiece {
  /** Provider name, ordered like upstream's data-providers.d links. */
  provider: string;
  /** Where it came from (a path under the root, or a URL). */
  from: string;
  settings: Record<string, unknown>;
}

interface Provider {
  name: string;
  read(platform: Platform, imds: Imds | undefined): Promise<UserDataPiece | undefined>;
}

async function fromFile(platform: Platform, provider: string, rel: string): Promise<UserDataPiece | undefined> {
  const path = platform.path(rel);
  if (!(await platform.files.exists(path))) return undefined;
  const settings = parseUserData(await platform.files.read(path), path);
  return settings && { provider, from: path, settings };
}

/** The providers in the order their results are applied; later ones win on conflicts. */
const PROVIDERS: Provider[] = [
  { name: '10-local-defaults', read: platform => fromFile(platform, '10-local-defaults', 'local/user-data-defaults.toml') },
  { name: '20-local-user-data', read: platform => fromFile(platform, '20-local-user-data', USER_DATA_FILE) },
  {
    name: '30-ec2-identity-doc',
    async read(platform, imds) {
      const file = platform.path('etc/early-boot-config/identity-document');
      let text = await platform.files.readTextIfExists(file);
      let from = file;
      if (text === undefined && imds) {
        text = await imds.get('/latest/dynamic/instance-identity/document');
        from = `${imds.baseUrl}/latest/dynamic/instance-identity/document`;
      }
      if (text === undefined) return { provider: '30-ec2-identity-doc', from: 'no identity document (region us-east-1)', settings: { aws: { region: FALLBACK_REGION } } };
      let region: unknown;
      try {
        region = (JSON.parse(text) as { region?: unknown }).region;
      } catch (error) {
        throw new BrktError('invalid-input', `Instance identity document from ${from} is not JSON: ${messageOf(error)}`);
      }
      if (typeof region !== 'string') throw new BrktError('invalid-input', `Instance identity document from ${from} has no region string`);
      return { provider: '30-ec2-identity-doc', from, settings: { aws: { region } } };
    },
  },
  {
    name: '40-ec2-imds',
    async read(platform, imds) {
      const seeded = await fromFile(platform, '40-ec2-imds', 'etc/early-boot-config/user-data');
      if (seeded || !imds) return seeded;
      const text = await imds.get('/2021-07-15/user-data');
      const from = `${imds.baseUrl}/2021-07-15/user-data`;
      const settings = text === undefined ? undefined : parseUserData(new TextEncoder().encode(text), from);
      return settings && { provider: '40-ec2-imds', from, settings };
    },
  },
  { name: '99-local-overrides', read: platform => fromFile(platform, '99-local-overrides', 'local/user-data-overrides.toml') },
];

/** Reads every provider; the first failure is fatal, so nothing is sent on any error. */
export async function readUserData(platform: Platform, imds: Imds | undefined = imdsFor(platform)): Promise<UserDataPiece[]> {
  const pieces = await Promise.all(PROVIDERS.map(provider => provider.read(platform, imds)));
  return pieces.filter((piece): piece is UserDataPiece => piece !== undefined);
}

export interface EarlyBootConfigResult {
  /** `true` when the marker showed it had already run. */
  skipped: boolean;
  pieces: UserDataPiece[];
  /** Upstream only warns when the marker cannot be written (user data would apply again). */
  warning?: string;
  /** Instance metadata that could not be reached and was treated as absent. */
  unreachable?: string;
}

/**
 * Runs early-boot-config once per host: reads all user data, sends it as ONE PATCH to
 * `bottlerocket-launch` (brkt: upstream sent the region and the user data separately, so an
 * invalid user data left the region pending; one document means nothing is half-applied),
 * then writes the marker. Nothing is committed here (settings-committer does that).
 */
export async function runEarlyBootConfig(platform: Platform, api: LaunchApi, imds: Imds | undefined = imdsFor(platform)): Promise<EarlyBootConfigResult> {
  const marker = platform.path(EARLY_BOOT_CONFIG_MARKER);
  if (await platform.files.exists(marker)) return { skipped: true, pieces: [] };
  const optional = imds && optionalImds(imds);
  const pieces = await readUserData(platform, optional);
  const unreachable = optional?.unreachable;
  const document = pieces.reduce((merged, piece) => mergeSettings(merged, piece.settings), {} as Record<string, unknown>);
  if (Object.keys(document).length > 0) {
    try {
      await api.patch(document, LAUNCH_TX);
    } catch (error) {
      const sources = pieces.map(piece => piece.from).join(', ');
      throw new BrktError(error instanceof BrktError ? error.code : 'io', `Failed to apply user data from ${sources}: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    await platform.files.writeAtomic(marker, '');
  } catch (error) {
    return { skipped: false, pieces, unreachable, warning: `Failed to write ${marker}: ${messageOf(error)}` };
  }
  return { skipped: false, pieces, unreachable };
}

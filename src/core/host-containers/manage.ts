// The host-containers program (boot-config.md 4.2, current behaviour): for each host container
// the changed settings touch, its storage and user data, its env file, then the unit stopped,
// the old container cleaned up, and the unit enabled (and started) or disabled.
import { BrktError, messageOf } from '../errors';
import type { ApiClient } from '../client/api-client';
import type { Platform } from '../../platform/types';
import { cleanUp } from './host-ctr';
import { ensureHostContainerdConfig } from './containerd-config';
import { storageOf } from './container-spec';
import { hostContainerCommands, hostContainerUnit } from './units';

export interface HostContainerSettings {
  source?: string;
  enabled?: boolean;
  superpowered?: boolean;
  'user-data'?: string;
}

/** `settings.<section>` as the API has it (`{}` when unset). */
export async function readSection<T>(client: ApiClient, section: string): Promise<Record<string, T>> {
  const document = await client.getJson<{ [name: string]: Record<string, T> }>(`/settings?prefix=settings.${section}`);
  return document[section] ?? {};
}

/**
 * Upstream's CHANGED_SETTINGS rule: none (boot) handles every container; otherwise a container
 * whose own keys changed, or all when a key outside `settings.<section>.` changed (proxy, network).
 */
export function isAffected(name: string, changed: string[], section: string): boolean {
  if (changed.length === 0) return true;
  return changed.some(key => key.startsWith(`settings.${section}.${name}.`) || key === `settings.${section}.${name}` || !key.startsWith(`settings.${section}.`));
}

/** The env file the unit reads (`CTR_SUPERPOWERED`, `CTR_SOURCE`; the comment is informational). */
export function hostContainerEnv(settings: HostContainerSettings): string {
  return [
    `CTR_SUPERPOWERED=${settings.superpowered ?? false}`,
    `CTR_SOURCE=${settings.source ?? ''}`,
    '',
    '# Just for reference; service is enabled or disabled by host-containers service',
    `# CTR_ENABLED=${settings.enabled ?? false}`,
    '',
  ].join('\n');
}

/** Standard base64 (padded), as upstream decodes user data. */
export function decodeUserData(name: string, text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new BrktError('invalid-input', `Invalid base64 user data of ${name}`);
  return Uint8Array.from(atob(text), char => char.charCodeAt(0));
}

/** Storage (0700) and user data of a host or bootstrap container. */
export async function prepareStorage(platform: Platform, storage: string, name: string, userData: string | undefined) {
  await platform.files.mkdirp(storage, 0o700);
  if (userData !== undefined) await platform.files.writeAtomic(`${storage}/user-data`, decodeUserData(name, userData), { mode: 0o600 });
}

export interface ManageReport {
  handled: string[];
  failed: Array<{ name: string; reason: string }>;
}

async function manageOne(platform: Platform, name: string, settings: HostContainerSettings, target: string) {
  const unit = hostContainerUnit(name);
  await prepareStorage(platform, storageOf(platform, name, 'host'), name, settings['user-data']);
  await platform.files.writeAtomic(`${platform.paths.hostContainersConfig}/${name}.env`, hostContainerEnv(settings));
  await platform.units.stop(unit);
  if (await platform.containers.isActive()) await cleanUp(platform.containers, name);
  const enabled = settings.enabled ?? false;
  if (enabled && !settings.source) throw new BrktError('invalid-input', `Host container '${name}' is enabled but has no source`);
  const now = target === 'multi-user.target';
  if (enabled) await platform.units.enable(unit, { now, wantedBy: 'multi-user.target', commands: hostContainerCommands(name, settings.source!, settings.superpowered ?? false) });
  else await platform.units.disable(unit, { now, wantedBy: 'multi-user.target' });
}

const CONTAINERS_IN_FLIGHT = 8;

/** Runs the program; errors are counted per container, as upstream. */
export async function manageHostContainers(platform: Platform, client: ApiClient, changed: string[], log: (line: string) => void): Promise<ManageReport> {
  const containers = await readSection<HostContainerSettings>(client, 'host-containers');
  await ensureHostContainerdConfig(platform);
  const report: ManageReport = { handled: [], failed: [] };
  const names = Object.keys(containers).filter(name => isAffected(name, changed, 'host-containers'));
  if (names.length === 0) return report;
  await platform.files.mkdirp(platform.paths.hostContainersStorage, 0o700);
  const target = await platform.units.getDefault();
  // Containers are independent of each other: a few at a time, so a host with thousands of
  // them is not thousands of sequential stops, file writes and unit changes. Reported in order.
  const outcomes = new Map<string, string | undefined>();
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      try {
        await manageOne(platform, name, containers[name]!, target);
        outcomes.set(name, undefined);
      } catch (error) {
        outcomes.set(name, messageOf(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONTAINERS_IN_FLIGHT, names.length) }, worker));
  for (const name of names) {
    const failure = outcomes.get(name);
    if (failure === undefined) report.handled.push(name);
    else report.failed.push({ name, reason: failure });
    log(`host-containers: ${name}: ${failure ?? (containers[name]!.enabled ? 'enabled' : 'disabled')}`);
  }
  return report;
}

// The bootstrap-containers program (boot-config.md 5): `create-containers` prepares storage, env
// files and [Install] drop-ins and enables the units; `mark-bootstrap` turns a `once` container
// off through the API after its run.
import { BrktError, messageOf } from '../errors';
import { randomSuffix, type ApiClient } from '../client/api-client';
import type { Platform } from '../../platform/types';
import { cleanUp } from '../host-containers/host-ctr';
import { containerIdOf, storageOf } from '../host-containers/container-spec';
import { ensureHostContainerdConfig } from '../host-containers/containerd-config';
import { prepareStorage, readSection, type ManageReport } from '../host-containers/manage';
import { bootstrapContainerCommands, bootstrapContainerUnit } from '../host-containers/units';

export const BOOTSTRAP_MODES = ['off', 'once', 'always'] as const;
export type BootstrapMode = (typeof BOOTSTRAP_MODES)[number];

export interface BootstrapContainerSettings {
  source?: string;
  mode?: BootstrapMode;
  'user-data'?: string;
  essential?: boolean;
}

export const bootstrapEnv = (settings: BootstrapContainerSettings) => `CTR_SOURCE=${settings.source ?? ''}\nCTR_MODE=${settings.mode ?? 'off'}\n`;

/** The drop-in that ties the unit to configured.target: required when essential. */
export const installDropIn = (essential: boolean) => `[Install]\n${essential ? 'RequiredBy' : 'WantedBy'}=configured.target\n`;

async function createOne(platform: Platform, name: string, settings: BootstrapContainerSettings) {
  const unit = bootstrapContainerUnit(name);
  const mode = settings.mode ?? 'off';
  await prepareStorage(platform, storageOf(platform, name, 'bootstrap'), name, settings['user-data']);
  await platform.files.writeAtomic(`${platform.paths.bootstrapContainersConfig}/${name}.env`, bootstrapEnv(settings));
  await platform.units.writeDropIn(unit, 'overrides.conf', installDropIn(settings.essential ?? false));
  const containerdActive = await platform.containers.isActive();
  if (mode === 'off') {
    await platform.units.disable(unit, { now: false, wantedBy: 'configured.target' });
    if (containerdActive) await cleanUp(platform.containers, containerIdOf(name, 'bootstrap'));
    return;
  }
  if (!settings.source) throw new BrktError('invalid-input', `Bootstrap container '${name}' has mode ${mode} but no source`);
  if (!(await platform.units.isEnabled(unit)) && containerdActive) await cleanUp(platform.containers, containerIdOf(name, 'bootstrap'));
  await platform.units.enable(unit, { now: false, wantedBy: 'configured.target', commands: bootstrapContainerCommands(platform.paths, name, settings.source, mode) });
}

export async function createBootstrapContainers(platform: Platform, client: ApiClient, log: (line: string) => void): Promise<ManageReport> {
  const containers = await readSection<BootstrapContainerSettings>(client, 'bootstrap-containers');
  await ensureHostContainerdConfig(platform);
  const report: ManageReport = { handled: [], failed: [] };
  for (const [name, settings] of Object.entries(containers)) {
    try {
      await createOne(platform, name, settings);
      report.handled.push(name);
      log(`bootstrap-containers: ${name}: mode ${settings.mode ?? 'off'}${settings.essential ? ', essential' : ''}`);
    } catch (error) {
      report.failed.push({ name, reason: messageOf(error) });
      log(`bootstrap-containers: ${name}: ${messageOf(error)}`);
    }
  }
  return report;
}

/** After a run: any mode but `always` becomes `off` (what `apiclient set ...mode=off` does upstream). */
export async function markBootstrap(client: ApiClient, name: string, mode: string): Promise<boolean> {
  if (mode === 'always') return false;
  const tx = `bootstrap-containers-${randomSuffix()}`;
  await client.checked('PATCH', `/settings?tx=${tx}`, JSON.stringify({ 'bootstrap-containers': { [name]: { mode: 'off' } } }));
  await client.checked('POST', `/tx/commit_and_apply?tx=${tx}`);
  return true;
}

/**
 * configured.target where no systemd does it (brkt boot): runs every enabled bootstrap container
 * in name order; an essential one that fails fails the boot, another one is reported.
 */
export async function reachConfiguredTarget(platform: Platform, client: ApiClient, log: (line: string) => void): Promise<string> {
  const containers = await readSection<BootstrapContainerSettings>(client, 'bootstrap-containers');
  let ran = 0;
  for (const name of Object.keys(containers).sort()) {
    const settings = containers[name]!;
    const unit = bootstrapContainerUnit(name);
    if ((settings.mode ?? 'off') === 'off' || !settings.source || !(await platform.units.isEnabled(unit))) continue;
    try {
      await platform.units.start(unit, bootstrapContainerCommands(platform.paths, name, settings.source, settings.mode!));
      ran++;
    } catch (error) {
      if (settings.essential) throw new BrktError('io', `essential bootstrap container ${name} failed: ${messageOf(error)}`, { cause: error });
      log(`boot: configured.target: bootstrap container ${name} failed (not essential): ${messageOf(error)}`);
    }
  }
  return `${ran} bootstrap container${ran === 1 ? '' : 's'} run`;
}

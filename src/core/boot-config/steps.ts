// The boot steps of settings.md section 11 that configure the host through the API on the
// root's socket: early-boot-config, sundog (after a commit), settings-applier --all (after a commit).
import type { BootStep } from '../boot/sequence';
import { applySettings } from '../applier/apply';
import { httpSettingsSource } from '../applier/source';
import { runEarlyBootConfig } from './early-boot-config';
import { runSundog } from './generators';
import { httpLaunchApi, LAUNCH_TX, type PendingTransaction } from './launch-api';
import { STRENGTH_METADATA, strengthText } from '../datastore/strength';
import type { Platform } from '../../platform/types';
import { runBootstrapCommands } from '../bootstrap-commands/run';

/**
 * settings-committer: reads what `bottlerocket-launch` holds (GET /v2/tx, as upstream logs it),
 * then commits it; nothing pending is fine. Says how many of the keys are weak.
 */
async function commitLaunch(platform: Platform, socket: string): Promise<string> {
  const api = httpLaunchApi(platform, socket);
  const weak = weakCount(await api.pendingTransaction(LAUNCH_TX));
  const committed = await api.commit(LAUNCH_TX);
  if (!committed.length) return 'nothing to commit';
  return `committed ${committed.length} key${committed.length === 1 ? '' : 's'}${weak ? ` (${weak} weak)` : ''}`;
}

/** Pending keys whose staged strength is weak. */
export function weakCount(pending: PendingTransaction): number {
  return Object.values(pending.metadata).filter(metas => metas[STRENGTH_METADATA] === strengthText('weak')).length;
}

/** early-boot-config: user data into `bottlerocket-launch`, first boot only. */
export const userDataStep: BootStep = {
  name: 'early-boot-config',
  async run({ platform, log }) {
    const result = await runEarlyBootConfig(platform, httpLaunchApi(platform));
    if (result.warning) log(`early-boot-config: ${result.warning}`);
    if (result.unreachable) log(`early-boot-config: no instance metadata, continuing without it: ${result.unreachable}`);
    if (result.skipped) return 'already ran on this host';
    if (result.pieces.length === 0) return 'no user data';
    return `staged user data from ${result.pieces.map(piece => piece.from).join(', ')}`;
  },
};

/** settings-committer, then sundog: generate what is still unset (seed, sources, ...). */
export const generatorsStep: BootStep = {
  name: 'sundog',
  async run({ platform, log }) {
    const socket = platform.paths.apiSocket;
    const commit = await commitLaunch(platform, socket);
    const result = await runSundog(platform, httpLaunchApi(platform, socket));
    for (const { key, reason } of result.skipped) log(`sundog: skipped ${key}: ${reason}`);
    const generated = result.generated.length ? `generated ${result.generated.join(', ')}` : 'nothing to generate';
    return `${commit}; ${generated}`;
  },
};

/** settings-committer, then thar-be-settings --all: every config file, every restart command. */
export const renderAllStep: BootStep = {
  name: 'settings-applier',
  async run({ platform, log }) {
    const socket = platform.paths.apiSocket;
    const commit = await commitLaunch(platform, socket);
    const report = await applySettings(platform, httpSettingsSource(platform, socket), undefined, log);
    const skipped = report.skipped.length ? `, skipped ${report.skipped.length} (see above)` : '';
    const failed = report.failedRestarts ? `, ${report.failedRestarts.length} failed (see above)` : '';
    return `${commit}; wrote ${report.written.length} file${report.written.length === 1 ? '' : 's'}${skipped}, ran ${report.restarted.length} restart command${report.restarted.length === 1 ? '' : 's'}${failed}`;
  },
};

/** bootstrap-commands.service: after settings-applier, before anything that needs `preconfigured.target`. */
export const bootstrapCommandsStep: BootStep = {
  name: 'bootstrap-commands',
  async run({ platform, log }) {
    const report = await runBootstrapCommands(platform, log);
    if (!report) return 'no bootstrap-commands file';
    if (report.ran.length + report.failed.length === 0) return 'nothing to run';
    return `ran ${report.ran.join(', ') || 'none'}${report.failed.length ? `; failed ${report.failed.join(', ')} (see above)` : ''}`;
  },
};

/** In boot order; the API server must be serving on `paths.apiSocket` before the first. */
export const SETTINGS_BOOT_STEPS: BootStep[] = [userDataStep, generatorsStep, renderAllStep, bootstrapCommandsStep];

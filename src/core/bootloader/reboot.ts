// `brkt reboot` (cli.md): a machine reboots the way its platform says (host.md 3); a sandbox
// asks the serving `brkt boot --serve` to boot again (SIGHUP), or, with none running, runs the
// bootloader step.
import type { Platform } from '../../platform/types';
import { bootSandbox, type BootResult } from './boot';

export type RebootOutcome =
  | { kind: 'host' }
  | { kind: 'signalled'; pid: number }
  | ({ kind: 'booted' } & BootResult);

/**
 * The pid in `run/brkt-boot.pid` when that process is proven to be this root's serving
 * `brkt boot --serve`: its command line says `boot --serve`, and it holds the API server's lock
 * on this root's datastore (`Datastore` claims it while serving). A stale pid, reused by another
 * program, or a forged one fails the proof and is never signalled.
 */
export async function servingBootPid(platform: Platform): Promise<number | undefined> {
  const text = await platform.files.readTextIfExists(platform.paths.bootPid);
  const pid = Number(text?.trim());
  if (!/^\d+$/.test(text?.trim() ?? '') || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const argv = await platform.processArgv(pid);
  const boot = argv?.indexOf('boot') ?? -1;
  if (boot === -1 || !argv!.slice(boot + 1).includes('--serve')) return undefined;
  return (await platform.processHoldsLock(pid, platform.paths.datastore)) ? pid : undefined;
}

/**
 * Reboots. `style`: `systemctl` for the API and `brkt reboot`, `shutdown` for updog (host.md 3).
 * `fromBoot` is for the boot process itself (a failed boot-health check): a sandbox then boots
 * again right here instead of signalling the serving process.
 */
export async function requestReboot(platform: Platform, options: { style?: 'systemctl' | 'shutdown'; fromBoot?: boolean } = {}): Promise<RebootOutcome> {
  if (platform.reboot) {
    await platform.reboot(options.style ?? 'systemctl');
    return { kind: 'host' };
  }
  if (options.fromBoot) return { kind: 'booted', ...(await bootSandbox(platform)) };
  const pid = await servingBootPid(platform);
  // The process may exit between the check and the signal; then boot here instead.
  if (pid !== undefined && (await platform.signalProcess(pid, 'SIGHUP'))) return { kind: 'signalled', pid };
  return { kind: 'booted', ...(await bootSandbox(platform)) };
}

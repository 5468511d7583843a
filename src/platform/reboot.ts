// Rebooting a real machine the way upstream does (host.md 3): the API and `brkt reboot` run
// `systemctl reboot --check-inhibitors=yes`; updog runs `shutdown -r` (systemd's means "+1").
import { promises as fs } from 'node:fs';
import { BrktError } from '../core/errors';
import { runProcess } from './process';

export interface RebootEnvironment {
  PATH?: string;
  /** sd_booted(3)'s directory; moved only by tests (`BRKT_SYSTEMD_RUNTIME`). */
  BRKT_SYSTEMD_RUNTIME?: string;
}

const COMMANDS = {
  systemctl: ['systemctl', 'reboot', '--check-inhibitors=yes'],
  shutdown: ['shutdown', '-r'],
} as const;

/** Both programs talk to systemd as PID 1; without it there is nobody to ask, so say so. */
export async function rebootMachine(style: keyof typeof COMMANDS, env: RebootEnvironment): Promise<void> {
  const [program, ...args] = COMMANDS[style];
  const path = Bun.which(program, { PATH: env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' });
  if (!path) throw new BrktError('unavailable', `Cannot reboot: ${program} is not installed (brkt reboots through systemd)`);
  const runtime = env.BRKT_SYSTEMD_RUNTIME ?? '/run/systemd/system';
  if (!(await fs.stat(runtime).then(stat => stat.isDirectory(), () => false))) {
    throw new BrktError('unavailable', `Cannot reboot: PID 1 is not systemd (no ${runtime}); reboot the machine another way`);
  }
  const result = await runProcess([path, ...args], { timeoutMs: 90_000 });
  if (result.code !== 0 || result.timedOut) {
    const why = result.timedOut ? 'timed out' : `exit ${result.code}`;
    throw new BrktError('io', `${[program, ...args].join(' ')} failed (${why}): ${result.stderr.trim().split('\n')[0] || 'no message'}`);
  }
}

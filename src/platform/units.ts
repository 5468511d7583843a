// The service manager: systemctl on a host; in a sandbox the same unit state (enablement links,
// drop-ins) under the root, every operation logged, and units run as supervised brkt processes
// when the sandbox has a host containerd to run containers on.
import { closeSync, existsSync, mkdirSync, openSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { BrktError } from '../core/errors';
import { runProcess, signalProcess } from './process';
import { selfCommand } from './self-command';
import type { ServiceCommands, UnitManager } from './container-types';

const SYSTEMCTL = '/bin/systemctl';
const UNIT_DIR = 'etc/systemd/system';
/** Where unit files live on a host image (brkt install writes them there). */
const UNIT_FILES = '/usr/lib/systemd/system';
/** A unit's stop timeout before SIGKILL (TimeoutStopSec=60 of host-containers@). */
const STOP_TIMEOUT_MS = 60_000;

/** The template file of an instance (`host-containers@admin.service` -> `host-containers@.service`). */
export const templateOf = (unit: string) => unit.replace(/@[^.]*\./, '@.');

export function systemdUnits(): UnitManager {
  const systemctl = async (...args: string[]) => {
    const result = await runProcess([SYSTEMCTL, ...args]);
    if (result.code !== 0) throw new BrktError('io', `systemctl ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    return result.stdout.trim();
  };
  const succeeds = async (...args: string[]) => (await runProcess([SYSTEMCTL, ...args])).code === 0;
  return {
    getDefault: () => systemctl('get-default'),
    isActive: unit => succeeds('is-active', '--quiet', unit),
    isEnabled: unit => succeeds('is-enabled', '--quiet', unit),
    async enable(unit, { now }) {
      await systemctl('enable', unit, ...(now ? ['--now'] : ['--no-reload']), '--no-block');
    },
    async disable(unit, { now }) {
      await systemctl('disable', unit, ...(now ? ['--now'] : ['--no-reload']), '--no-block');
    },
    async start(unit) {
      // systemd runs bootstrap units itself before configured.target (and they refuse manual
      // starts): report what it did, and start only a unit that has not run.
      if (await succeeds('is-active', '--quiet', unit)) return;
      if (await succeeds('is-failed', '--quiet', unit)) throw new BrktError('io', `${unit} failed (see journalctl -u ${unit})`);
      await systemctl('start', unit);
    },
    async stop(unit) {
      await runProcess([SYSTEMCTL, 'stop', unit]); // upstream ignores the result
    },
    async writeDropIn(unit, name, text) {
      const dir = join('/', UNIT_DIR, `${unit}.d`);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(join(dir, name), text);
    },
  };
}

/** `canRun`: whether units can really run here (a host containerd answers in the sandbox). */
export function sandboxUnits(root: string, canRun: () => Promise<boolean>, env: Record<string, string | undefined>): UnitManager {
  const under = (rel: string) => join(root, rel);
  const pidFile = (unit: string) => under(`run/brkt/units/${unit}.pid`);
  const outputFile = (unit: string) => under(`var/log/brkt/units/${unit}.log`);
  const log = async (unit: string, operation: string, ran: boolean) => {
    const line = JSON.stringify({ time: new Date().toISOString(), unit, operation, ran });
    await fs.mkdir(under('var/log/brkt'), { recursive: true });
    await fs.appendFile(under('var/log/brkt/units.log'), line + '\n');
  };
  const wantsLink = (unit: string, target: string) => under(`${UNIT_DIR}/${target}.wants/${unit}`);
  const runningPid = async (unit: string): Promise<number | undefined> => {
    const text = await fs.readFile(pidFile(unit), 'utf8').catch(() => undefined);
    const pid = Number(text);
    return text && Number.isInteger(pid) && signalProcess(pid, 0) ? pid : undefined;
  };
  const childEnv = { ...env, BRKT_ROOT: root } as Record<string, string>;
  // run/ is a tmpfs on a host; a sandbox keeps it across reboots, so a condition file older
  // than the last sandbox boot counts as absent (as the sandbox's other status files do).
  const isCurrent = async (path: string) => {
    const info = await fs.stat(path).catch(() => undefined);
    if (!info) return false;
    const booted = await fs.stat(under('var/lib/brkt/boot.json')).catch(() => undefined);
    return !booted || info.mtimeMs >= booted.mtimeMs;
  };
  const spawnRole = (unit: string, argv: string[]) => {
    mkdirSync(dirname(outputFile(unit)), { recursive: true });
    const output = openSync(outputFile(unit), 'a');
    try {
      return Bun.spawn([...selfCommand(), ...argv], { env: childEnv, stdin: 'ignore', stdout: output, stderr: output, detached: true });
    } finally {
      closeSync(output);
    }
  };
  const units: UnitManager = {
    // A sandbox that serves its API is as far as a host at multi-user.target.
    getDefault: async () => 'multi-user.target',
    isActive: async unit => (await runningPid(unit)) !== undefined,
    async isEnabled(unit) {
      const dirs = await fs.readdir(under(UNIT_DIR)).catch(() => [] as string[]);
      // lstat: the links name unit files of the host image, which a sandbox does not have.
      const linked = await Promise.all(dirs.filter(dir => dir.endsWith('.wants')).map(dir => fs.lstat(join(under(UNIT_DIR), dir, unit)).then(() => true, () => false)));
      return linked.includes(true);
    },
    async enable(unit, { now, wantedBy, commands }) {
      const link = wantsLink(unit, wantedBy);
      await fs.mkdir(dirname(link), { recursive: true });
      await fs.rm(link, { force: true });
      await fs.symlink(join(UNIT_FILES, templateOf(unit)), link);
      await log(unit, now ? 'enable --now' : 'enable', false);
      if (now) await units.start(unit, commands);
    },
    async disable(unit, { now, wantedBy }) {
      await fs.rm(wantsLink(unit, wantedBy), { force: true });
      await log(unit, now ? 'disable --now' : 'disable', false);
      if (now) await units.stop(unit);
    },
    async start(unit, commands: ServiceCommands) {
      if (await runningPid(unit)) return;
      if (commands.skipIfExists && (await isCurrent(commands.skipIfExists))) {
        await log(unit, 'start (skipped: condition)', false);
        return;
      }
      const ran = await canRun();
      await log(unit, 'start', ran);
      if (!ran) return;
      for (const path of commands.touch ?? []) {
        await fs.mkdir(dirname(path), { recursive: true });
        await fs.writeFile(path, '');
      }
      if (commands.type === 'simple') {
        const proc = spawnRole(unit, commands.run.at(-1)!);
        await fs.mkdir(dirname(pidFile(unit)), { recursive: true });
        await fs.writeFile(pidFile(unit), String(proc.pid));
        proc.unref();
        return;
      }
      for (const argv of [...commands.run, ...(commands.after ?? [])]) {
        const code = await spawnRole(unit, argv).exited;
        if (code !== 0) throw new BrktError('io', `${unit} failed: '${argv.join(' ')}' exited with ${code} (output in ${outputFile(unit)})`);
      }
    },
    async stop(unit) {
      const pid = await runningPid(unit);
      await log(unit, 'stop', pid !== undefined);
      if (pid === undefined) return;
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (signalProcess(pid, 0) && Date.now() < deadline) await Bun.sleep(50);
      if (signalProcess(pid, 0)) process.kill(pid, 'SIGKILL');
      await fs.rm(pidFile(unit), { force: true });
    },
    async writeDropIn(unit, name, text) {
      const dir = under(`${UNIT_DIR}/${unit}.d`);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(join(dir, name), text);
    },
  };
  return units;
}

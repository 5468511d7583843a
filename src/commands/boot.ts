import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { runBoot, runBootStep, type BootContext } from '../core/boot/sequence';
import { bootSandbox } from '../core/bootloader/boot';
import { requestReboot } from '../core/bootloader/reboot';
import { describeCheck, seconds } from '../core/boot-health/describe';
import { readHealthRecord } from '../core/boot-health/record';
import { notifyReady, waitForStopSignal } from './apiserver/serve';
import { BrktError } from '../core/errors';

export class BootCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Run the boot sequence of the host (or sandbox)',
    details: `Runs each boot step in order (bootloader, migrator, storewolf, apiserver, early-boot-config, sundog, settings-applier, bootstrap-commands, mark-successful-boot), one line per step; the first failure stops the boot with exit 1. On the first boot of a partition set, mark-successful-boot first waits for the settings.boot-health checks and, when one fails, reboots into the other set. With --serve the API keeps being served afterwards. In a sandbox, 'brkt reboot' (or SIGHUP) makes a serving boot stop serving, let the sandbox bootloader choose a set, and boot again in the same process.`,
    examples: [
      ['Boot and keep serving the API', '$0 boot --serve'],
      ['Boot a sandbox and keep serving its API', '$0 boot --serve --root ./sandbox'],
    ],
  });
  serve = Option.Boolean('--serve', false, { description: 'Keep serving the API after booting' });

  async run() {
    const { platform } = this;
    const log = (line: string) => this.out(line + '\n');
    for (;;) {
      const context: BootContext = { platform, log };
      try {
        await runBoot(context);
      } catch (error) {
        await context.api?.stop(); // a failed boot leaves no socket behind
        throw error;
      }
      if (context.rebootRequested) {
        // A failed boot-health check: the set's one try is spent, so the bootloader falls back.
        await context.api?.stop();
        const outcome = await requestReboot(platform, { fromBoot: true });
        if (outcome.kind !== 'booted') {
          log('reboot: rebooting the host');
          return 1;
        }
        log(`reboot: booted set ${outcome.set}, version ${outcome.version}`);
        continue;
      }
      if (!this.serve) {
        await context.api?.stop(); // without --serve the server only lived for the boot steps
        return;
      }
      if (!context.api) throw new BrktError('unavailable', 'The boot sequence started no API server; --serve has nothing to serve');
      // A sandbox reboots in this process: `brkt reboot` finds it through the pid file.
      const sandbox = platform.kind === 'sandbox';
      const signal = waitForStopSignal(sandbox ? ['SIGTERM', 'SIGINT', 'SIGHUP'] : ['SIGTERM', 'SIGINT']);
      if (sandbox) await platform.files.writeAtomic(platform.paths.bootPid, `${process.pid}\n`);
      log(`boot: serving the API on ${context.api.socket}`);
      await notifyReady(context.api, log);
      const received = await signal;
      await context.api.stop();
      if (received !== 'SIGHUP') {
        if (sandbox) await platform.files.remove(platform.paths.bootPid);
        log(`boot: ${received} received, stopped`);
        return;
      }
      log('reboot: stopped serving; the sandbox bootloader chooses a set');
      const booted = await bootSandbox(platform);
      log(`reboot: booted set ${booted.set}, version ${booted.version}`);
    }
  }
}

export class BootHealthCommand extends BrktCommand {
  static override paths = [['health']];
  static override usage = Command.Usage({
    description: 'Show the last boot health check results',
    details: 'The checks of settings.boot-health run on the first boot of a partition set that is not yet marked successful; the set is marked only when all of them pass, else the host reboots into the other set. This shows the last such judgement: the version, each check and the last lines of its output.',
    examples: [['Show the last results', '$0 boot health'], ['As JSON', '$0 boot health --json']],
  });
  json = Option.Boolean('--json', false, { description: 'Print the record as JSON (null when no checks have run)' });

  async run() {
    const record = await readHealthRecord(this.platform);
    if (this.json) return this.outJson(record ?? null);
    if (!record) return this.out('No boot health checks have run: they run on the first boot of a new partition set when settings.boot-health.checks are set\n');
    const verdict = record.outcome === 'passed' ? 'passed, marked successful' : 'failed, not marked successful; rebooted into the other set';
    const width = Math.max(...record.checks.map(check => check.name.length));
    const lines = [`Version ${record.version} (set ${record.set}), checked at ${record.startedAt} in ${seconds(record.durationMs)}: ${verdict}`];
    for (const check of record.checks) {
      lines.push(`  ${check.name.padEnd(width)}  ${describeCheck(check)} in ${seconds(check.durationMs)}`);
      if (check.outcome !== 'passed') lines.push(...check.outputTail.map(line => `    | ${line}`));
    }
    this.out(lines.join('\n') + '\n');
  }
}

export class BootStepCommand extends BrktCommand {
  static override paths = [['step']];
  static override usage = Command.Usage({
    description: 'Run one step of the boot sequence, as its systemd unit does',
    details: 'The units written by `brkt install` run the steps one by one (storewolf, early-boot-config, sundog, settings-applier, ...); the steps after the API server reach it on the socket. The first failure is exit 1.',
    examples: [['Render every configuration file and run every restart command', '$0 boot step settings-applier']],
  });
  name = Option.String({ required: true, name: 'STEP' });

  async run() {
    await runBootStep({ platform: this.platform, log: line => this.out(line + '\n') }, this.name);
  }
}

export const commands = [BootCommand, BootHealthCommand, BootStepCommand];

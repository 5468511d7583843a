// `brkt reboot` (cli.md): a host reboots through systemd; a sandbox boots again through the
// sandbox bootloader, inside the serving `brkt boot --serve` when one runs.
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { requestReboot } from '../core/bootloader/reboot';

export class RebootCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Reboot the host, or boot a sandbox again from the partition set its bootloader chooses',
    details: 'In a sandbox, a running `brkt boot --serve` is asked (SIGHUP) to stop serving, run the bootloader and boot again. With none running, only the bootloader step runs (choose a set by priority, tries and successful; spend one try) and the next `brkt boot` boots that set.',
    examples: [['Boot a sandbox into the update it staged', '$0 --root ./sandbox update --now && $0 --root ./sandbox reboot']],
  });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    const outcome = await requestReboot(this.platform);
    if (this.json) return this.outJson(outcome);
    if (outcome.kind === 'host') return this.out('Rebooting\n');
    if (outcome.kind === 'signalled') return this.out(`Rebooting: the serving brkt boot (pid ${outcome.pid}) boots again\n`);
    const failed = outcome.attempts.filter(attempt => attempt.outcome !== 'booted');
    const after = failed.length ? ` after ${failed.map(a => `set ${a.set} failed (${a.outcome})`).join(', ')}` : '';
    this.out(`Booted set ${outcome.set}, version ${outcome.version}${after}; 'brkt boot' starts it\n`);
  }
}

export const commands = [RebootCommand];

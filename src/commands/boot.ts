import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { runBoot } from '../core/boot/sequence';
import { BrktError } from '../core/errors';

export class BootCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Run the boot sequence of the host (or sandbox)',
    details: 'Runs each boot step in order, one line per step; the first failure stops the boot with exit 1. With --serve the API keeps being served afterwards.',
    examples: [['Boot a sandbox and keep serving its API', '$0 --root ./sandbox boot --serve']],
  });
  serve = Option.Boolean('--serve', false, { description: 'Keep serving the API after booting' });

  async run() {
    await runBoot({ platform: this.platform, log: line => this.out(line + '\n') });
    if (this.serve) throw new BrktError('unavailable', 'This build has no API server yet; --serve is not available');
  }
}

export const commands = [BootCommand];

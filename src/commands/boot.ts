import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { runBoot, type BootContext } from '../core/boot/sequence';
import { serveUntilStopped } from './apiserver/serve';
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
    const context: BootContext = { platform: this.platform, log: line => this.out(line + '\n') };
    try {
      await runBoot(context);
    } catch (error) {
      await context.api?.stop(); // a failed boot leaves no socket behind
      throw error;
    }
    if (!context.api) {
      if (this.serve) throw new BrktError('unavailable', 'The boot sequence started no API server; --serve has nothing to serve');
      return;
    }
    // Without --serve the server only lived for the boot steps that talk to it.
    if (this.serve) await serveUntilStopped(context.api, context.log, true);
    else await context.api.stop();
  }
}

export const commands = [BootCommand];

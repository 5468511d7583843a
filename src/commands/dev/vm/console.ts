import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmConsoleCommand extends BrktCommand {
  static override paths = [['vm', 'console']];
  static override usage = Command.Usage({
    description: "Attach to the VM's serial console (Ctrl-] detaches)",
    details: 'The console logs in as root without a password. Everything it prints is also in DIR/console.log.',
    examples: [['Attach', '$0 dev vm console ./vm']],
  });
  dir = Option.String({ required: true, name: 'DIR' });

  async run() {
    const { attachConsole } = await import('../../../platform/vm/console');
    return attachConsole(this.dir, this.context.stdout);
  }
}

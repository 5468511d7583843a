import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmWaitCommand extends BrktCommand {
  static override paths = [['vm', 'wait']];
  static override usage = Command.Usage({
    description: 'Wait until the API in the VM answers again after a reboot',
    details: 'Waits for a boot other than the one start or the last wait saw, then for its API. Exit 1 after --timeout seconds.',
    examples: [['Reboot and wait', '$0 dev vm exec ./vm -- apiclient reboot; $0 dev vm wait ./vm']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  timeout = Option.String('--timeout', '600', { description: 'Seconds to wait' });

  async run() {
    const { waitVm } = await import('../../../platform/vm/machine');
    const bootId = await waitVm(this.dir, Number(this.timeout) * 1000);
    this.out(`VM booted again (boot ${bootId}); its API answers\n`);
  }
}

import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmStopCommand extends BrktCommand {
  static override paths = [['vm', 'stop']];
  static override usage = Command.Usage({
    description: 'Shut the VM down cleanly, or cut its power (--kill)',
    details: 'Without --kill: systemctl poweroff in the VM (or the ACPI power button when its agent does not answer), then waits for qemu to exit. With --kill: QMP quit, as if the power were cut; writes the guest has not flushed are lost.',
    examples: [['Power cut', '$0 dev vm stop --kill ./vm']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  kill = Option.Boolean('--kill', false, { description: 'Cut the power instead of shutting down' });

  async run() {
    const { stopVm } = await import('../../../platform/vm/machine');
    const result = await stopVm(this.dir, { kill: this.kill, log: line => this.context.stderr.write(`${line}\n`) });
    this.out(result === 'stopped' ? (this.kill ? 'VM powered off (power cut)\n' : 'VM shut down\n') : 'VM is not running\n');
  }
}

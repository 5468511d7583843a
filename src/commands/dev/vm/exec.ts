import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmExecCommand extends BrktCommand {
  static override paths = [['vm', 'exec']];
  static override usage = Command.Usage({
    description: 'Run a command as root in the VM; its output and exit code',
    details: "Runs through brkt's agent on a virtio-serial port (no network, no ssh). Exit code 255 when the VM rebooted while the command ran.",
    examples: [['Show the running set', '$0 dev vm exec ./vm -- signpost status']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  argv = Option.Rest({ required: 1, name: 'CMD' });

  async run() {
    const { execInVm } = await import('../../../platform/vm/machine');
    const result = await execInVm(this.dir, this.argv, {
      stdout: data => this.context.stdout.write(data),
      stderr: data => this.context.stderr.write(data),
    });
    if (result.rebooted) this.context.stderr.write(`brkt: the VM rebooted while ${this.argv[0]} ran\n`);
    return result.code;
  }
}

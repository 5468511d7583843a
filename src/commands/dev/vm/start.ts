import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmStartCommand extends BrktCommand {
  static override paths = [['vm', 'start']];
  static override usage = Command.Usage({
    description: 'Boot the VM in the background; return when the API in the VM answers',
    details: 'Rebuilds the config drive from DIR/user-data.toml and the repository drive from DIR/repo, starts qemu (KVM when a guest kernel boots under it, else TCG with a notice; no network interface), and waits until the API in the VM answers. The serial console is logged to DIR/console.log.',
    examples: [['Start a VM', '$0 dev vm start ./vm']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  timeout = Option.String('--timeout', '600', { description: 'Seconds to wait for the API' });

  async run() {
    const { startVm } = await import('../../../platform/vm/machine');
    const started = await startVm(this.dir, { log: line => this.context.stderr.write(`${line}\n`), timeoutMs: Number(this.timeout) * 1000 });
    this.out(`VM running (pid ${started.pid}, ${started.accel.toUpperCase()}); its API answers ${(started.bootMs / 1000).toFixed(1)} s after power-on\n`);
  }
}

import { Command } from 'clipanion';
import { BrktCommand } from '../../base';

export class DevVmAgentCommand extends BrktCommand {
  static override paths = [['vm', 'agent']];
  static override usage = Command.Usage({
    category: 'internal',
    description: "Serve brkt dev vm exec inside the VM (the brkt-vm-agent unit's program)",
  });

  async run() {
    const { serveAgent } = await import('../../../platform/vm/agent-server');
    await serveAgent(this.platform, line => this.context.stderr.write(`${line}\n`));
  }
}

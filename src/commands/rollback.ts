// `brkt rollback`: signpost rollback-to-inactive, then one line saying what boots next.
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { setVersions } from '../core/bootloader/set-versions';
import { nextSet, rollbackToInactive } from '../core/signpost/operations';
import { updatePartitionState } from '../core/signpost/state';
import { statusJson } from '../core/signpost/status';

export class RollbackCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Make the other partition set boot next (signpost rollback-to-inactive)',
    details: 'Fails, changing nothing, when the inactive set is not bootable (never updated, or cleared by an update in progress). The change takes effect at the next reboot.',
    examples: [['Roll back to the previous version, then reboot', '$0 rollback && $0 reboot']],
  });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    const { state } = await updatePartitionState(this.platform, rollbackToInactive);
    const versions = await setVersions(this.platform, state);
    const next = nextSet(state);
    if (this.json) return this.outJson({ next: next ?? null, running: state.active, versions, status: statusJson(state) });
    const describe = (name: 'A' | 'B') => `set ${name}${versions[name] ? `, version ${versions[name]}` : ` (${state.sets[name]!.boot.path})`}`;
    this.out(`Next boot: ${next ? describe(next) : 'none'} (running: ${describe(state.active)})\n`);
  }
}

export const commands = [RollbackCommand];
